"""Reading G-Cloud spend returns in the published CSV layout.

The columns (in any order, matched ignoring case and spacing; others are ignored):
LotDescription, Return Month (dd/mm/yyyy), EvidencedSpend (£ excluding VAT), Sector,
SME or Large, SupplierName, CustomerName. Each data row is checked on its own: a bad row is
rejected with its line number and the reason, and does not stop the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ndx.accounts.models import Organisation

COLUMNS = {
    "lot_name": "LotDescription",
    "month": "Return Month",
    "amount": "EvidencedSpend",
    "sector": "Sector",
    "sme": "SME or Large",
    "supplier": "SupplierName",
    "buyer": "CustomerName",
}
REQUIRED = ("lot_name", "month", "amount", "sme", "supplier", "buyer")
MAX_PLACES = 4
MAX_AMOUNT = Decimal("1000000000000")  # £1 trillion: anything larger is a typing error
NAME_MAX = 200

# The spend returns' Sector, mapped to the buyer type of organisations the import creates.
SECTOR_BUYER_TYPES = {
    "central government": Organisation.BuyerType.CENTRAL,
    "health": Organisation.BuyerType.NHS,
    "nhs": Organisation.BuyerType.NHS,
    "local government": Organisation.BuyerType.COUNCIL,
    "local authority": Organisation.BuyerType.COUNCIL,
    "education": Organisation.BuyerType.SCHOOL,
    "schools": Organisation.BuyerType.SCHOOL,
}
# And back: the sector in which NDX contracts are reported, from their buyer's type, so that
# contracts and spend returns fall into the same groups.
BUYER_TYPE_SECTORS = {
    Organisation.BuyerType.CENTRAL: "Central Government",
    Organisation.BuyerType.NHS: "Health",
    Organisation.BuyerType.COUNCIL: "Local Government",
    Organisation.BuyerType.SCHOOL: "Education",
    Organisation.BuyerType.OTHER: "Other public sector",
}
NO_SECTOR = "Not stated"


def buyer_type_for_sector(sector: str) -> str:
    return SECTOR_BUYER_TYPES.get(tidy(sector).casefold(), Organisation.BuyerType.OTHER)


def tidy(value: str) -> str:
    """Trimmed, with runs of spaces made one."""
    return " ".join((value or "").split())


def name_key(name: str) -> str:
    """How organisations are matched by name: ignoring case and spacing."""
    return tidy(name).casefold()


class SpendFileError(ValueError):
    """The file as a whole cannot be read (not text, or the columns are missing)."""


@dataclass
class SpendRow:
    line: int
    lot_name: str
    month: date
    amount: Decimal
    sector: str
    is_sme: bool
    supplier_name: str
    buyer_name: str
    row_key: str = ""

    def identity(self) -> str:
        """The row's normalised values, the same however the file spells them."""
        return "\x1f".join(
            [
                self.lot_name.casefold(),
                self.month.isoformat(),
                f"{self.amount:.{MAX_PLACES}f}",
                self.sector.casefold(),
                "sme" if self.is_sme else "large",
                name_key(self.supplier_name),
                name_key(self.buyer_name),
            ]
        )


@dataclass
class SpendFile:
    rows: list[SpendRow] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.rejected)


def decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet exports from Windows are often cp1252; reject anything else.
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise SpendFileError("The file is not text (UTF-8 or Windows-1252) CSV") from None


def _header_positions(header: list[str]) -> dict[str, int]:
    wanted = {tidy(title).casefold(): key for key, title in COLUMNS.items()}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = wanted.get(tidy(cell).casefold())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [COLUMNS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise SpendFileError(
            "The file's first line must name the columns; missing: " + ", ".join(missing)
        )
    return positions


_AMOUNT_RE = re.compile(r"^-?\d+(\.\d+)?$")


def parse_amount(text: str) -> Decimal:
    value = tidy(text).replace("£", "").replace(",", "").replace(" ", "")
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1]
    if not _AMOUNT_RE.match(value):
        raise ValueError(f'"{tidy(text)}" is not an amount in pounds, like 1234.50 or -20')
    amount = Decimal(value)
    if negative:
        amount = -amount
    if -amount.as_tuple().exponent > MAX_PLACES:
        raise ValueError(f'"{tidy(text)}" has more than {MAX_PLACES} decimal places')
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(f'"{tidy(text)}" is too large to be one month\'s spend')
    return amount


def parse_month(text: str) -> date:
    value = tidy(text)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m"):
        try:
            parsed = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        return parsed.replace(day=1)
    raise ValueError(f'"{value}" is not a date like 01/04/2013')


def parse_sme(text: str) -> bool:
    value = tidy(text).casefold()
    if value == "sme":
        return True
    if value == "large":
        return False
    raise ValueError(f'"{tidy(text)}" should be SME or Large')


def _check_row(line: int, cells: list[str], positions: dict[str, int]) -> SpendRow | str:
    def cell(key: str) -> str:
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    problems: list[str] = []
    values = {}
    for key in REQUIRED:
        if not tidy(cell(key)):
            problems.append(f"{COLUMNS[key]}: is empty")
    parsers = {"amount": parse_amount, "month": parse_month, "sme": parse_sme}
    for key, parser in parsers.items():
        if tidy(cell(key)):
            try:
                values[key] = parser(cell(key))
            except (ValueError, InvalidOperation) as exc:
                problems.append(f"{COLUMNS[key]}: {exc}")
    for key, limit in (("lot_name", 200), ("supplier", NAME_MAX), ("buyer", NAME_MAX)):
        if len(tidy(cell(key))) > limit:
            problems.append(f"{COLUMNS[key]}: longer than {limit} characters")
    if len(tidy(cell("sector"))) > 100:
        problems.append(f"{COLUMNS['sector']}: longer than 100 characters")
    if problems:
        return "; ".join(problems)
    return SpendRow(
        line=line,
        lot_name=tidy(cell("lot_name")),
        month=values["month"],
        amount=values["amount"],
        sector=tidy(cell("sector")),
        is_sme=values["sme"],
        supplier_name=tidy(cell("supplier")),
        buyer_name=tidy(cell("buyer")),
    )


def read_spend_file(content: bytes | str) -> SpendFile:
    """Every data row, checked; blank lines are skipped. Each good row gets its row key: a hash of
    its normalised values and its occurrence number among identical rows in this file."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SpendFileError("The file is empty") from None
    except csv.Error as exc:
        raise SpendFileError(f"line 1: not CSV ({exc})") from None
    positions = _header_positions(header)
    result = SpendFile()
    occurrences: Counter[str] = Counter()
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.rejected.append((reader.line_num, f"not CSV ({exc})"))
            continue
        if not any(c.strip() for c in cells):
            continue
        checked = _check_row(reader.line_num, cells, positions)
        if isinstance(checked, str):
            result.rejected.append((reader.line_num, checked))
            continue
        identity = checked.identity()
        occurrences[identity] += 1
        checked.row_key = hashlib.sha256(
            f"{identity}\x1e{occurrences[identity]}".encode()
        ).hexdigest()
        result.rows.append(checked)
    return result
