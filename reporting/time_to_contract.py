"""Time to contract, the service's headline promise: how long from a need (the requirement, or
the shortlist for an award without one) to a signed contract. Median and 90th percentile, by
route, by lot and by month of award, for /reports/ (chart, table) and its CSV.

Read live from the contracts (two columns each); contracts with no recorded time are left out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract
from contracts.timing import days, percentile

from .charts import Point, column_chart

DIMENSIONS = {"route": "Route to market", "lot": "Lot", "month": "Month of award"}
CSV_COLUMNS = ["group", "contracts", "median_days", "p90_days"]
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class TimeRow:
    group: str
    contracts: int
    median_days: Decimal
    p90_days: Decimal
    label: str = ""


def _row(group: str, durations: list[float], label: str) -> TimeRow:
    def rounded(value: float) -> Decimal:
        return Decimal(str(round(value, 1)))

    return TimeRow(
        group=group,
        contracts=len(durations),
        median_days=rounded(percentile(durations, 0.5)),
        p90_days=rounded(percentile(durations, 0.9)),
        label=label,
    )


def time_rows(by: str, contracts=None) -> list[TimeRow]:
    """One row per group ("overall" for all), in a stable order (months oldest first)."""
    if by not in (*DIMENSIONS, "overall"):
        raise ValueError(f"no such grouping: {by}")
    queryset = (contracts if contracts is not None else Contract.objects.all()).filter(
        time_to_award__isnull=False
    )
    groups: dict[str, list[float]] = defaultdict(list)
    routes = dict(Contract.Route.choices)
    for route, lot, awarded_at, duration in queryset.values_list(
        "route", "offer__lot__name", "awarded_at", "time_to_award"
    ):
        if by == "route":
            key = str(routes.get(route, route))
        elif by == "lot":
            key = lot
        elif by == "month":
            key = timezone.localtime(awarded_at).strftime("%Y-%m")
        else:
            key = "All contracts"
        groups[key].append(days(duration))
    labels = _month_label if by == "month" else str
    return [_row(group, groups[group], labels(group)) for group in sorted(groups)]


def days_text(value: Decimal | float) -> str:
    number = float(value)
    if number < 1:
        hours = round(number * 24)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    shown = f"{number:.1f}".rstrip("0").rstrip(".")
    return f"{shown} day{'s' if shown != '1' else ''}"


def _month_label(key: str) -> str:
    year, month = key.split("-")
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{names[int(month) - 1]} {year}"


def time_to_contract_context() -> dict:
    overall = time_rows("overall")
    tables = {by: time_rows(by) for by in DIMENSIONS}
    months = tables["month"][-MONTHS_SHOWN:]
    chart = None
    if months:
        chart = column_chart(
            "time-to-contract-chart",
            [Point(r.label, r.median_days, days_text(r.median_days)) for r in months],
            title="Median time from need to contract, by month of award",
            description=(
                "Columns show the median number of days from a requirement to a signed contract "
                "for contracts awarded in each month. The table below gives the same figures "
                "with the 90th percentile."
            ),
            percent=False,
            tick_text=lambda value: f"{value:g}",
        )
    summary = None
    if overall:
        row = overall[0]
        summary = (
            f"Half of the {row.contracts:,} contracts were signed within "
            f"{days_text(row.median_days)} of the need being recorded, and 9 in 10 within "
            f"{days_text(row.p90_days)}."
        )
    return {
        "summary": summary,
        "chart": chart,
        "tables": [(by, DIMENSIONS[by], tables[by]) for by in DIMENSIONS],
    }


def time_csv_rows(by: str) -> list[list[str]]:
    return [CSV_COLUMNS] + [
        [row.group, str(row.contracts), str(row.median_days), str(row.p90_days)]
        for row in time_rows(by)
    ]
