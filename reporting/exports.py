"""The reports as CSV rows and as plain-text tables (for downloads and management commands)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from ndx import exports

from .models import SME_TARGET, SavingsRow, SmeShareRow, pounds

SME_CSV_COLUMNS = ["group", "total_spend", "sme_spend", "sme_share", "contracts", "sme_contracts"]
SAVINGS_CSV_COLUMNS = [
    "group",
    "contracts",
    "priced_contracts",
    "total_value",
    "list_value",
    "saving",
    "saving_share",
]

NOTHING_TO_REPORT = (
    "There is nothing to report yet: no spend returns have been loaded and no contracts have "
    "been awarded. Load spend returns with `manage.py import_spend PATH`."
)
NO_CONTRACTS = "There is nothing to report yet: no contracts have been awarded."


def money(value: Decimal) -> str:
    """Pounds to 2 decimal places, plain: 1234.50 (never -0.00)."""
    amount = pounds(value)
    return format(amount if amount != 0 else abs(amount), "f")


def fraction(value: Decimal | None) -> str:
    """A share as a fraction to 4 places: 0.4123; empty when undefined."""
    return "" if value is None else format(value, "f")


def money_text(value: Decimal) -> str:
    amount = pounds(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def percent_text(value: Decimal | None, places: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{places}f}%"


def sme_csv_rows(rows: list[SmeShareRow]) -> list[list[str]]:
    return [SME_CSV_COLUMNS] + [
        [
            row.group,
            money(row.total_spend),
            money(row.sme_spend),
            fraction(row.sme_share),
            str(row.contracts),
            str(row.sme_contracts),
        ]
        for row in rows
    ]


def savings_csv_rows(rows: list[SavingsRow]) -> list[list[str]]:
    return [SAVINGS_CSV_COLUMNS] + [
        [
            row.group,
            str(row.contracts),
            str(row.priced_contracts),
            money(row.total_value),
            money(row.list_value),
            money(row.saving),
            fraction(row.saving_share),
        ]
        for row in rows
    ]


def csv_text(rows: list[list[str]]) -> str:
    """Every report CSV goes through the one safe writer (ndx/exports.py): names that start
    like a formula are written as text."""
    return exports.csv_text(rows, lineterminator="\n")


def text_table(header: list[str], rows: list[list[str]], *, left: int = 1) -> str:
    """Columns padded to line up; the first `left` columns are left-aligned, the rest right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        parts = [
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def sme_table(rows: list[SmeShareRow], overall: SmeShareRow | None, heading: str) -> str:
    header = [
        heading,
        "Total spend",
        "SME spend",
        "SME share",
        "Contracts",
        "SME contracts",
        "VCSE share",
        "40% target",
    ]

    def cells(row: SmeShareRow) -> list[str]:
        target = {True: "met", False: "not met", None: "—"}[row.meets_target]
        return [
            row.group,
            money_text(row.total_spend),
            money_text(row.sme_spend),
            percent_text(row.sme_share),
            f"{row.contracts:,}",
            f"{row.sme_contracts:,}",
            percent_text(row.vcse_share),
            target,
        ]

    body = [cells(row) for row in rows]
    if overall is not None:
        body.append(cells(overall))
    return text_table(header, body)


def savings_table(rows: list[SavingsRow], heading: str) -> str:
    header = [
        heading,
        "Contracts",
        "With list price",
        "Total value",
        "Saving",
        "Saving share",
        "Of £1bn ambition",
    ]
    body = [
        [
            row.group,
            f"{row.contracts:,}",
            f"{row.priced_contracts:,}",
            money_text(row.total_value),
            money_text(row.saving),
            percent_text(row.saving_share),
            percent_text(row.ambition_share, 4),
        ]
        for row in rows
    ]
    return text_table(header, body)


def savings_and_avoidance_text(overall: SavingsRow | None) -> str:
    """One line with both national figures, against the ambition."""
    if overall is None:
        return ""
    return (
        f"National cost saving {money_text(overall.saving)} and cost avoidance "
        f"{money_text(overall.avoidance)} ({overall.avoidance_contracts:,} of "
        f"{overall.contracts:,} contracts have a baseline), together "
        f"{money_text(overall.combined)} against the ambition of £1bn a year\n"
    )


def computed_text(snapshot) -> str:
    when = timezone.localtime(snapshot.computed_at)
    return f"{when:%Y-%m-%d %H:%M:%S %Z}"


TARGET_TEXT = f"{SME_TARGET * 100:.0f}%"
