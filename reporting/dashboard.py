"""What the report pages show, read from the current snapshots (never computed on a page view)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString

from ndx.plain_words import percent as plain_percent

from .charts import Point, bar_chart, column_chart, short_money
from .exports import TARGET_TEXT, money_text, percent_text
from .figures import PERIOD_DIMENSIONS
from .models import SME_TARGET, ReportSnapshot, SavingsRow, SmeShareRow

PUBLIC_SME_DIMENSIONS = ["fy", "year", "quarter", "month", "framework", "lot", "sector"]
STAFF_SME_DIMENSIONS = [*PUBLIC_SME_DIMENSIONS, "buyer"]
PUBLIC_SAVINGS_DIMENSIONS = ["fy", "year", "framework"]
STAFF_SAVINGS_DIMENSIONS = [*PUBLIC_SAVINGS_DIMENSIONS, "organisation"]
CHART_GROUPS = 25  # categories beyond this are in the table only (the biggest are charted)

NOUNS = {
    "year": "year",
    "fy": "financial year",
    "quarter": "quarter",
    "month": "month",
    "framework": "framework",
    "lot": "lot",
    "sector": "sector",
    "buyer": "organisation",
}


@dataclass
class Option:
    value: str
    label: str
    href: str
    current: bool


def group_options(dimensions, current, url_name, param) -> list[Option]:
    base = reverse(url_name)
    return [
        Option(d, SmeShareRow.Dimension(d).label, f"{base}?{param}={d}", d == current)
        for d in dimensions
    ]


def _sme_summary(overall: SmeShareRow) -> str:
    share = overall.sme_share
    if share is None:
        return "There is no positive spend to report, so there is no SME share yet."
    position = "above" if share >= SME_TARGET else "below"
    text = (
        f"Overall, {money_text(overall.sme_spend)} of {money_text(overall.total_spend)} "
        f"({percent_text(share)}) went to small and medium-sized enterprises (SMEs), {position} "
        f"the government's target of {TARGET_TEXT}."
    )
    if overall.contracts:
        text += (
            f" SMEs had {overall.sme_contracts:,} of {overall.contracts:,} contracts "
            f"({percent_text(overall.sme_contract_share)})."
        )
    text += (
        f" Voluntary, community and social enterprises (VCSEs) had "
        f"{money_text(overall.vcse_spend)} ({percent_text(overall.vcse_share)})"
    )
    if overall.contracts:
        text += f" and {overall.vcse_contracts:,} of the contracts"
    text += "."
    return text


def _sme_trend_summary(dimension: str, rows: list[SmeShareRow]) -> str:
    shared = [r for r in rows if r.sme_share is not None]
    if not shared:
        return "No group has positive spend, so there are no shares to compare."
    label = SmeShareRow.Dimension(dimension).label.lower()
    met = sum(1 for r in shared if r.meets_target)
    high = max(shared, key=lambda r: r.sme_share)
    low = min(shared, key=lambda r: r.sme_share)
    noun = NOUNS.get(dimension, "group")
    text = f"By {label}, {met} of {len(shared)} {noun}{'s' if len(shared) != 1 else ''} met the "
    text += f"{TARGET_TEXT} target. "
    if len(shared) > 1:
        text += (
            f"The SME share was highest for {high.group} ({percent_text(high.sme_share)}) and "
            f"lowest for {low.group} ({percent_text(low.sme_share)})."
        )
    if dimension in PERIOD_DIMENSIONS:
        latest = shared[-1]
        text += f" In the latest, {latest.group}, it was {percent_text(latest.sme_share)}."
    return text.strip()


def _sme_chart(dimension: str, rows: list[SmeShareRow], summary: str) -> tuple[SafeString, str]:
    label = SmeShareRow.Dimension(dimension).label.lower()
    title = f"Share of spend with SMEs by {label}, against the {TARGET_TEXT} target"
    note = ""
    if dimension in PERIOD_DIMENSIONS:
        points = [Point(r.group, r.sme_share, percent_text(r.sme_share)) for r in rows]
        chart = column_chart(
            "sme-chart",
            points,
            title=title,
            description=summary,
            percent=True,
            target=SME_TARGET,
            target_label=f"{TARGET_TEXT} target",
        )
        return chart, note
    charted = rows
    if len(rows) > CHART_GROUPS:
        charted = sorted(rows, key=lambda r: r.total_spend, reverse=True)[:CHART_GROUPS]
        note = f"The chart shows the {CHART_GROUPS} with the most spend; the table has them all."
    points = [Point(r.group, r.sme_share, percent_text(r.sme_share)) for r in charted]
    chart = bar_chart(
        "sme-chart",
        points,
        title=title,
        description=summary,
        target=SME_TARGET,
        target_label=f"{TARGET_TEXT} target",
    )
    return chart, note


def sme_context(snapshot: ReportSnapshot | None, dimension: str) -> dict:
    if snapshot is None:
        return {"snapshot": None}
    rows = list(snapshot.sme_rows.filter(dimension=dimension).order_by("position"))
    overall = snapshot.sme_rows.filter(dimension=SmeShareRow.Dimension.OVERALL).first()
    context = {
        "snapshot": snapshot,
        "dimension": dimension,
        "dimension_label": SmeShareRow.Dimension(dimension).label,
        "rows": rows,
        "overall": overall,
    }
    if overall is not None and rows:
        summary = _sme_trend_summary(dimension, rows)
        chart, note = _sme_chart(dimension, rows, summary)
        context.update(
            summary=_sme_summary(overall), trend_summary=summary, chart=chart, chart_note=note
        )
    return context


def _savings_summary(overall: SavingsRow | None, by_fy: list[SavingsRow]) -> str:
    if overall is None:
        return "No contracts have been awarded through NDX yet, so there are no savings to report."
    text = (
        f"Contracts awarded through NDX saved {money_text(overall.saving)} against list prices "
        f"({overall.priced_contracts:,} of {overall.contracts:,} contracts had a list price; "
        f"the saving is {percent_text(overall.saving_share)} of what they would have cost)."
    )
    if by_fy:
        latest = by_fy[-1]
        text += (
            f" In the financial year {latest.group} the saving is {money_text(latest.saving)}, "
            f"{plain_percent(latest.ambition_share, fraction=True)} of the government's ambition "
            "of £1bn "
            "a year."
        )
    return text


def savings_context(snapshot: ReportSnapshot | None, dimensions: list[str]) -> dict:
    if snapshot is None:
        return {"snapshot": None}
    rows = list(snapshot.savings_rows.order_by("dimension", "position"))
    overall = next((r for r in rows if r.dimension == "overall"), None)
    tables = []
    for dimension in dimensions:
        tables.append(
            {
                "dimension": dimension,
                "label": SavingsRow.Dimension(dimension).label,
                "rows": [r for r in rows if r.dimension == dimension],
            }
        )
    by_fy = [r for r in rows if r.dimension == "fy"]
    summary = _savings_summary(overall, by_fy)
    context = {"snapshot": snapshot, "overall": overall, "tables": tables, "summary": summary}
    if overall is not None:
        context["side_by_side"] = [
            ("Cost saving (list price minus price paid)", overall.saving, overall.priced_contracts),
            (
                "Cost avoidance (baseline minus price paid)",
                overall.avoidance,
                overall.avoidance_contracts,
            ),
            ("Both together", overall.combined, overall.contracts),
        ]
    if by_fy:
        points = [Point(r.group, r.saving, short_money(r.saving)) for r in by_fy]
        context["chart"] = column_chart(
            "savings-chart",
            points,
            title="Savings against list prices by financial year",
            description=summary,
            percent=False,
        )
    return context


def recent_snapshots(limit: int = 10):
    return ReportSnapshot.objects.select_related("requested_by")[:limit]
