"""Tracked KPIs and performance reports. The buyer sets 3 or more KPIs (name, measure, target,
how often), then files a report for each period: every KPI's value and rating on the
Procurement Act 2023 scale (Good, Approaching target, Requires improvement, Inadequate, or
Other with an explanation), an overall rating and comments; and a final assessment when the
contract expires or is terminated. The supplier may respond to each report. Two consecutive
Inadequate overall ratings flag the contract to staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..dates import add_months
from ..models import Contract, ContractKpi, KpiResult, PerformanceReport, Rating
from .common import buyer_of, optional_text, required_text, supplier_of
from .outbox import email_queue

MIN_KPIS = 3
MAX_KPIS = 20
OVERDUE_AFTER_DAYS = 30
RATINGS = {choice.value for choice in Rating}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = PerformanceReport.Kind.PERIODIC

    @property
    def due_on(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def overdue_on(self) -> date:
        return self.end + timedelta(days=OVERDUE_AFTER_DAYS)

    def is_overdue(self, today: date) -> bool:
        return today > self.overdue_on

    @property
    def label(self) -> str:
        if self.kind == PerformanceReport.Kind.FINAL:
            return f"Final assessment, to {self.end:%-d %B %Y}"
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


@transaction.atomic
def contract_kpis_set(*, actor: User, contract: Contract, kpis: list[dict]) -> list[ContractKpi]:
    """Set the contract's tracked KPIs (before its first report): 3 or more, each with a name,
    a measure, a target and how often it is reported."""
    buyer_of(actor, contract)
    if contract.performance_reports.exists():
        raise ValidationError("The KPIs cannot change once a performance report has been filed.")
    cleaned, errors = [], {}
    for i, raw in enumerate(kpis):
        name = " ".join(str(raw.get("name") or "").split())
        if not name:
            continue
        measure = " ".join(str(raw.get("measure") or "").split())
        target = " ".join(str(raw.get("target") or "").split())
        frequency = raw.get("frequency") or ContractKpi.Frequency.QUARTERLY
        if not measure:
            errors[f"kpi_{i}_measure"] = f"Enter how “{name}” is measured"
        if not target:
            errors[f"kpi_{i}_target"] = f"Enter the target for “{name}”"
        if frequency not in ContractKpi.Frequency.values:
            errors[f"kpi_{i}_frequency"] = "Choose monthly or quarterly"
        if len(name) > 300 or len(measure) > 300 or len(target) > 200:
            errors[f"kpi_{i}_name"] = "Each KPI's name and measure must be 300 characters or fewer"
        cleaned.append({"name": name, "measure": measure, "target": target, "frequency": frequency})
    if len(cleaned) < MIN_KPIS:
        errors["kpis"] = f"Set at least {MIN_KPIS} KPIs (you have {len(cleaned)})"
    if len(cleaned) > MAX_KPIS:
        errors["kpis"] = f"Set {MAX_KPIS} KPIs or fewer"
    if errors:
        raise ValidationError(errors)
    contract.kpi_set.all().delete()
    rows = ContractKpi.objects.bulk_create(
        ContractKpi(contract=contract, position=i, **kpi) for i, kpi in enumerate(cleaned)
    )
    Contract.objects.filter(pk=contract.pk).update(kpis=[kpi["name"] for kpi in cleaned])
    audit_record(actor=actor, action="contract.kpis_set", obj=contract, detail={"count": len(rows)})
    return rows


def report_months(contract: Contract) -> int | None:
    """How often reports are due: monthly if any KPI is monthly, else quarterly (None: no KPIs)."""
    frequencies = set(contract.kpi_set.values_list("frequency", flat=True))
    if not frequencies:
        return None
    return 1 if ContractKpi.Frequency.MONTHLY in frequencies else 3


def report_periods(contract: Contract, today: date) -> list[Period]:
    """Every period that has ended (up to the contract's end, or today), then the final
    assessment once the contract has ended or been terminated."""
    months = report_months(contract)
    if months is None:
        return []
    last = contract.ended_on or contract.end_date
    periods, n = [], 0
    while True:
        start = add_months(contract.start_date, n * months)
        end = add_months(contract.start_date, (n + 1) * months) - timedelta(days=1)
        if start > last or end >= today or start > today:
            break
        periods.append(Period(start, min(end, last)))
        n += 1
    if contract.status in (Contract.Status.ENDED, Contract.Status.TERMINATED) or last < today:
        periods.append(Period(contract.start_date, last, PerformanceReport.Kind.FINAL))
    return periods


def reports_due(contract: Contract, today: date | None = None) -> list[Period]:
    """The periods that have ended with no report filed yet, oldest first."""
    today = today or timezone.localdate()
    if contract.start_date > today:
        return []
    filed = set(contract.performance_reports.values_list("period_end", "kind"))
    return [p for p in report_periods(contract, today) if (p.end, p.kind) not in filed]


def _clean_rating(raw, field: str, explanation, errors: dict) -> str:
    rating = str(raw or "")
    if rating not in RATINGS:
        errors[field] = "Choose a rating"
    elif rating == Rating.OTHER and not str(explanation or "").strip():
        errors[f"{field}_explanation"] = "Explain the rating when you choose Other"
    return rating


@transaction.atomic
def performance_report_file(
    *,
    actor: User,
    contract: Contract,
    period_end: date,
    kind: str = PerformanceReport.Kind.PERIODIC,
    results: dict[int, dict],
    overall_rating,
    overall_explanation="",
    comments="",
    now: datetime | None = None,
) -> PerformanceReport:
    """File the buyer's report for a due period. `results` maps each KPI's id to its value
    achieved, rating and explanation."""
    buyer_of(actor, contract)
    now = now or timezone.now()
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    kpis = list(contract.kpi_set.all())
    if not kpis:
        raise ValidationError("Set the contract's KPIs before filing a performance report.")
    period = next(
        (
            p
            for p in reports_due(contract, timezone.localdate(now))
            if (p.end, p.kind) == (period_end, kind)
        ),
        None,
    )
    if period is None:
        raise ValidationError(
            "There is no report due for that period: it has not ended yet, or a report has "
            "already been filed for it."
        )
    errors: dict = {}
    cleaned = []
    for kpi in kpis:
        raw = results.get(kpi.pk) or {}
        achieved = " ".join(str(raw.get("achieved") or "").split())
        if not achieved:
            errors[f"kpi_{kpi.pk}_achieved"] = f"Enter the value achieved for “{kpi.name}”"
        rating = _clean_rating(
            raw.get("rating"), f"kpi_{kpi.pk}_rating", raw.get("explanation"), errors
        )
        try:
            explanation = optional_text(raw.get("explanation"), f"kpi_{kpi.pk}_explanation")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            explanation = ""
        cleaned.append((kpi, achieved[:200], rating, explanation))
    overall = _clean_rating(overall_rating, "overall_rating", overall_explanation, errors)
    try:
        comments = optional_text(comments, "comments")
        overall_explanation = optional_text(overall_explanation, "overall_rating_explanation")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    report = PerformanceReport.objects.create(
        contract=contract,
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        overall_rating=overall,
        overall_explanation=overall_explanation,
        comments=comments,
        filed_by=actor,
        filed_at=now,
    )
    KpiResult.objects.bulk_create(
        KpiResult(report=report, kpi=kpi, achieved=a, rating=r, explanation=e)
        for kpi, a, r, e in cleaned
    )
    audit_record(
        actor=actor,
        action="contract.report_filed",
        obj=contract,
        detail={
            "report": report.pk,
            "overall": overall,
            "period_end": period.end.isoformat(),
            "at": now.isoformat(),
        },
    )
    _flag_if_inadequate_twice(contract, now)
    email_queue("contracts.tasks.send_report_filed_email", report.pk)
    return report


def _flag_if_inadequate_twice(contract: Contract, now: datetime) -> None:
    last_two = list(
        contract.performance_reports.order_by("-period_end", "-id").values_list(
            "overall_rating", flat=True
        )[:2]
    )
    if (
        len(last_two) == 2
        and all(r == Rating.INADEQUATE for r in last_two)
        and not contract.flagged_at
    ):
        contract.flagged_at = now
        contract.flag_reason = "Two consecutive performance reports rated Inadequate overall"
        contract.save(update_fields=["flagged_at", "flag_reason"])
        audit_record(
            action="contract.flagged",
            obj=contract,
            organisation=contract.organisation,
            detail={"reason": contract.flag_reason},
        )


@transaction.atomic
def performance_report_respond(
    *, actor: User, report: PerformanceReport, response, now: datetime | None = None
) -> PerformanceReport:
    """The supplier's response to a report (once)."""
    supplier_of(actor, report.contract)
    locked = PerformanceReport.objects.select_for_update().get(pk=report.pk)
    if locked.responded_at is not None:
        raise ValidationError("You have already responded to this report.")
    locked.supplier_response = required_text(response, "response", "Enter your response")
    locked.responded_by = actor
    locked.responded_at = now or timezone.now()
    locked.save(update_fields=["supplier_response", "responded_by", "responded_at"])
    audit_record(
        actor=actor,
        action="contract.report_responded",
        obj=report.contract,
        detail={"report": locked.pk},
    )
    return locked


def kpi_history(contract: Contract) -> list[dict]:
    """For each KPI: its results by period, oldest first (for the chart and its table)."""
    results = (
        KpiResult.objects.filter(report__contract=contract)
        .select_related("report")
        .order_by("report__period_end", "report__id")
    )
    by_kpi: dict[int, list] = {}
    for result in results:
        by_kpi.setdefault(result.kpi_id, []).append(result)
    return [{"kpi": kpi, "results": by_kpi.get(kpi.pk, [])} for kpi in contract.kpi_set.all()]


def report_reminders_send(*, today: date | None = None) -> int:
    """Daily (beat): email each buyer with an overdue report, once per overdue period
    (Contract.report_reminder_for holds the period last reminded, so reruns send nothing)."""
    today = today or timezone.localdate()
    sent = 0
    candidates = Contract.objects.filter(
        status__in=[Contract.Status.ACTIVE, Contract.Status.ENDED, Contract.Status.TERMINATED],
        kpi_set__isnull=False,
    ).distinct()
    for contract in candidates:
        overdue = [p for p in reports_due(contract, today) if p.is_overdue(today)]
        if not overdue:
            continue
        period = overdue[0]
        with transaction.atomic():
            updated = (
                Contract.objects.filter(pk=contract.pk)
                .exclude(report_reminder_for=period.end)
                .update(report_reminder_for=period.end)
            )
            if not updated:
                continue
            audit_record(
                action="contract.report_reminder",
                obj=contract,
                organisation=contract.organisation,
                detail={"period_end": period.end.isoformat()},
            )
            email_queue(
                "contracts.tasks.send_report_reminder_email", contract.pk, period.end.isoformat()
            )
        sent += 1
    return sent
