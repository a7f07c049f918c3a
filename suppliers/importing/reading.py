"""Reading a catalogue file (JSONL, a JSON array or CSV) into numbered records.

A record that cannot be read is returned as a ValueError, so every bad line can be named."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError

from .formats import (
    CSV_COLUMNS,
    CSV_REQUIRED,
    FORMATS,
    SME_VALUES,
)


def catalogue_import_format(name: str) -> str:
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(
            {"file": "The selected file must be a .jsonl, .json or .csv catalogue file"}
        )
    return FORMATS[suffix]


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ValidationError([f"line {line}: the file must be UTF-8 text"]) from None


def _read_jsonl(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line, parse_float=Decimal)
        except ValueError as exc:
            yield number, ValueError(f"is not valid JSON ({getattr(exc, 'msg', exc)})")


def _read_json_array(text: str) -> Iterator[tuple[int, Any]]:
    """A JSON array of offers, keeping each offer's line number for error messages."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    position, line = 0, 1

    def skip() -> None:
        nonlocal position, line
        while position < len(text) and text[position].isspace():
            line += text[position] == "\n"
            position += 1

    skip()
    if not text.startswith("[", position):
        yield from _read_jsonl(text)
        return
    position += 1
    skip()
    if text.startswith("]", position):
        return
    while True:
        start_line = line
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError as exc:
            yield start_line, ValueError(f"is not valid JSON ({getattr(exc, 'msg', exc)})")
            return
        line += text.count("\n", position, end)
        position = end
        yield start_line, value
        skip()
        if text.startswith(",", position):
            position += 1
            skip()
            continue
        if not text.startswith("]", position):
            yield line, ValueError("is not valid JSON (expected , or ] between offers)")
        return


def _split_list(value: str) -> list[str]:
    separator = "|" if "|" in value else ";"
    return [part.strip() for part in value.split(separator) if part.strip()]


def _read_csv(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ValidationError([f"line 1: the header is not valid CSV ({exc})"]) from None
    columns = [c.strip().lower().replace(".", "_").replace(" ", "_") for c in header]
    problems = []
    unknown = [header[i] for i, c in enumerate(columns) if c and c not in CSV_COLUMNS]
    if unknown:
        problems.append(
            f"line 1: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the columns are {', '.join(CSV_COLUMNS)})"
        )
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        problems.append(
            f"line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        problems.append(f"line 1: repeated column {', '.join(repeated)}")
    if problems:
        raise ValidationError(problems)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, ValueError(f"is not valid CSV ({exc})")
            return
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            yield start, ValueError(f"has {len(cells)} cells but the header has {len(columns)}")
            continue
        row = dict(zip(columns, cells, strict=False))
        record: dict[str, Any] = {
            key: row[key].strip()
            for key in ("external_id", "title", "summary", "description", "category", "unit")
            if key in row
        }
        sme = row.get("supplier_sme", "").strip()
        record["supplier"] = {
            "name": row.get("supplier_name", "").strip(),
            "sme": SME_VALUES.get(sme.lower(), sme),
        }
        for key in ("price", "list_price"):
            if row.get(key, "").strip():
                record[key] = row[key].strip()
        for key in ("cpv", "features"):
            if row.get(key, "").strip():
                record[key] = _split_list(row[key])
        yield start, record


def catalogue_import_read(*, name: str, content: bytes | str) -> list[tuple[int, Any]]:
    """The file's records as (line number, record); a record that cannot be read is a ValueError."""
    kind = catalogue_import_format(name)
    text = _decode(content)
    reader = {"jsonl": _read_jsonl, "json": _read_json_array, "csv": _read_csv}[kind]
    return list(reader(text))
