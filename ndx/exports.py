"""Every spreadsheet the site writes (CSV and ODS) goes through here, so none can attack the
person who opens it (CSV injection, OWASP "CSV Injection"; the rule defusedcsv applies).

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
spreadsheet programs as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`). Such a cell gets
a single quote in front (`'=HYPERLINK(...)`), which makes the program show it as text. Plain
numbers (`-12.50`, `+3`, `1,234.00`) cannot be formulas and are left as they are, as
defusedcsv does, so negative sums stay numbers. ODS files also write every cell as a text cell
(tablib's ODS writer types only real numbers and dates), so nothing is evaluated there either.

API (for buying.services.shortlist_export, the reporting CSVs and every later export):

    safe_cell(value) -> str                    one neutralised cell (None -> "")
    safe_rows(rows) -> list[list[str]]         every cell of every row
    csv_text(rows, *, headers=None, lineterminator="\\r\\n") -> str
    csv_bytes(rows, *, headers=None) -> bytes  UTF-8, no byte-order mark
    ods_bytes(rows, *, headers, title="Export") -> bytes
    export_table(rows, *, headers, fmt, title="Export") -> bytes   fmt "csv" or "ods"
    CONTENT_TYPES[fmt]                         the HTTP Content-Type for each format
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

import tablib

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d+)?|\.\d+)$")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def safe_cell(value) -> str:
    """The cell as text, with a leading quote if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_rows(rows: Iterable[Sequence]) -> list[list[str]]:
    return [[safe_cell(cell) for cell in row] for row in rows]


def csv_text(
    rows: Iterable[Sequence],
    *,
    headers: Sequence[str] | None = None,
    lineterminator: str = "\r\n",
) -> str:
    """CSV text. Each record is written with a CRLF terminator, so that a cell holding a
    carriage return or a line feed is always quoted (the csv module quotes only the characters
    of its own terminator), then given `lineterminator` (e.g. "\n" for command output)."""
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\r\n")
    out = io.StringIO()
    all_rows = safe_rows(rows)
    if headers is not None:
        all_rows.insert(0, safe_rows([headers])[0])
    for row in all_rows:
        record.seek(0)
        record.truncate()
        writer.writerow(row)
        out.write(record.getvalue()[:-2] + lineterminator)
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence], *, headers: Sequence[str] | None = None) -> bytes:
    return csv_text(rows, headers=headers).encode("utf-8")


def ods_bytes(rows: Iterable[Sequence], *, headers: Sequence[str], title: str = "Export") -> bytes:
    # Every value is a str here, so tablib writes each cell as office:value-type="string".
    data = tablib.Dataset(headers=[safe_cell(h) for h in headers], title=title[:31])
    for row in safe_rows(rows):
        data.append(row)
    exported = data.export("ods")
    return exported.encode("utf-8") if isinstance(exported, str) else exported


def export_table(
    rows: Iterable[Sequence], *, headers: Sequence[str], fmt: str, title: str = "Export"
) -> bytes:
    if fmt == "csv":
        return csv_bytes(rows, headers=headers)
    if fmt == "ods":
        return ods_bytes(rows, headers=headers, title=title)
    raise ValueError(f"unknown export format {fmt!r}: choose csv or ods")
