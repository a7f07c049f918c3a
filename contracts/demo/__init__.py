"""Demo contracts in every state of their life: mobilising, active with a year of quarterly
performance reports, flagged after two Inadequate ratings, extended, varied twice (one change
above 10% with its change notice), terminated early, and ended with a benefits assessment; with
cost avoidance from both baselines (a previous price stated at award, or the lot's median).

The stories are data (contracts.json); the code awards each as a direct award from a demo
supplier's offer (contracts.services.contract_create, the value from the offer's pricing model,
with a `now` in the past; buying is above contracts, so its award form is not used) and then
calls the contracts services, so every figure, version
and timeline entry is what the real workflow makes. Keyed on the contract title for its buyer,
so running it twice changes nothing. No emails are sent. It also starts the demo contracts
whose start date has passed (buying's demo awards them while mobilising).
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.utils import timezone

from catalogue.models import Offer
from ndx.accounts.models import User

from ..dates import add_months, months_between
from ..models import Contract, PerformanceReport
from ..services import benefits, contract_create, lifecycle, performance, variations
from ..services.outbox import contract_emails_off
from ..value import PRICING_QUESTIONS, pricing_quantity, value_of

STORIES = json.loads((Path(__file__).parent / "contracts.json").read_text(encoding="utf-8"))
PENNY = Decimal("0.01")


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _offer(supplier_name: str):
    offers = (
        Offer.objects.buyable()
        .filter(supplier__name=supplier_name, lot__direct_award_allowed=True)
        .select_related("published_revision", "lot__framework")
        .order_by("pk")
    )
    return (
        offers.filter(published_revision__pricing_model="per_user_month").first() or offers.first()
    )


def _award(spec: dict, buyer: User, offer) -> Contract:
    """The direct award's contract, made as buying's direct award makes it (the value from
    the offer's pricing model), through contract_create."""
    awarded = timezone.now() - timedelta(days=spec["awarded_days_ago"])
    start = timezone.localdate(awarded) + timedelta(days=spec.get("start_after_days", 14))
    end = add_months(start, spec["months"]) - timedelta(days=1)
    revision = offer.published_revision
    unit_price = (revision.price * (1 - Decimal(spec["discount"]))).quantize(PENNY, ROUND_HALF_UP)
    months = months_between(start, end)
    per_month = PRICING_QUESTIONS.get(revision.pricing_model, ("", False))[1]
    divisor = unit_price * (months if per_month else 1)
    units = max(Decimal("1"), (Decimal(spec["budget"]) / divisor).quantize(Decimal("1")))
    quantity = pricing_quantity(revision.pricing_model, units, months)
    uplift = spec.get("previous_price_uplift")
    return contract_create(
        actor=buyer,
        now=awarded,
        outcomes=spec.get("outcomes", []),
        baseline_unit_price=(unit_price * (1 + Decimal(uplift))).quantize(PENNY)
        if uplift
        else None,
        organisation=buyer.organisation,
        supplier=offer.supplier,
        offer=offer,
        revision=revision,
        route=Contract.Route.DIRECT_AWARD,
        title=spec["title"],
        units=None if revision.pricing_model == "fixed" else units,
        term_months=months,
        quantity=quantity,
        unit_price=unit_price,
        list_price=revision.list_price,
        national_price=revision.price,
        value=value_of(unit_price, quantity),
        start_date=start,
        end_date=end,
        max_extension_months=spec.get("max_extension_months", 0),
        kpis=[line.split("|")[0].strip() for line in spec["kpis"]],
        justification="Awarded directly from the framework: the best fit, below the national "
        "price.",
    )


def _kpis(spec: dict, buyer: User, contract: Contract) -> None:
    rows = []
    for line in spec["kpis"]:
        name, measure, target, frequency = (part.strip() for part in line.split("|"))
        rows.append({"name": name, "measure": measure, "target": target, "frequency": frequency})
    performance.contract_kpis_set(actor=buyer, contract=contract, kpis=rows)


def _reports(spec: dict, buyer: User, contract: Contract) -> None:
    today = timezone.localdate()
    for i, rating in enumerate(spec.get("reports", [])):
        due = [
            p
            for p in performance.reports_due(contract, today)
            if p.kind == PerformanceReport.Kind.PERIODIC
        ]
        if not due:
            return
        period = due[0]
        results = {
            kpi.pk: {
                "achieved": kpi.target if rating == "good" else f"Below {kpi.target}",
                "rating": rating,
            }
            for kpi in contract.kpi_set.all()
        }
        performance.performance_report_file(
            actor=buyer,
            contract=contract,
            period_end=period.end,
            kind=period.kind,
            results=results,
            overall_rating=rating,
            comments=""
            if rating == "good"
            else f"Discussed at the review meeting (report {i + 1}).",
            now=min(_at(period.end + timedelta(days=7)), timezone.now()),
        )


def _final_report(buyer: User, contract: Contract, rating: str = "good") -> None:
    due = [p for p in performance.reports_due(contract) if p.kind == PerformanceReport.Kind.FINAL]
    if not due:
        return
    results = {kpi.pk: {"achieved": kpi.target, "rating": rating} for kpi in contract.kpi_set.all()}
    performance.performance_report_file(
        actor=buyer,
        contract=contract,
        period_end=due[0].end,
        kind=due[0].kind,
        results=results,
        overall_rating=rating,
        comments="Final assessment at the end of the term.",
    )


def _supplier_user(contract: Contract) -> User | None:
    return (
        User.objects.filter(membership__organisation=contract.supplier, is_active=True)
        .order_by("pk")
        .first()
    )


def _variations(spec: dict, buyer: User, contract: Contract) -> None:
    supplier = _supplier_user(contract)
    for i, change in enumerate(spec.get("variations", [])):
        contract.refresh_from_db()
        proposed = timezone.now() - timedelta(days=60 - 25 * i)
        quantity = (contract.quantity * (1 + Decimal(change["quantity_share"]))).quantize(
            Decimal("1")
        )
        variation = variations.contract_variation_propose(
            actor=buyer,
            contract=contract,
            ground=change["ground"],
            reason=change["reason"],
            new_quantity=quantity,
            scope_change=change.get("scope_change", ""),
            now=proposed,
        )
        if supplier is not None:
            variations.contract_variation_accept(
                actor=supplier,
                variation=variation,
                now=proposed + timedelta(days=14),
                comment="Agreed.",
            )


def _story(spec: dict, buyer: User, contract: Contract) -> None:
    lifecycle.contracts_move_due()
    contract.refresh_from_db()
    _kpis(spec, buyer, contract)
    _reports(spec, buyer, contract)
    _variations(spec, buyer, contract)
    contract.refresh_from_db()
    if spec.get("extend_months"):
        lifecycle.contract_extend(
            actor=buyer,
            contract=contract,
            new_end_date=add_months(contract.end_date, spec["extend_months"]),
        )
    if spec.get("termination_reason"):
        lifecycle.contract_terminate(
            actor=buyer, contract=contract, reason=spec["termination_reason"]
        )
        contract.refresh_from_db()
        _final_report(buyer, contract, "requires_improvement")
        benefits.contract_benefits_not_assessed(
            actor=buyer,
            contract=contract,
            reason="Terminated early by agreement before the outcomes could be measured.",
        )
    if spec.get("assessments"):
        outcomes = list(contract.outcomes.all())
        benefits.contract_benefits_assess(
            actor=buyer,
            contract=contract,
            assessments={
                o.pk: {"assessment": a, "evidence": e}
                for o, (a, e) in zip(outcomes, spec["assessments"], strict=False)
            },
        )
        _final_report(buyer, contract)
        lifecycle.contract_end(contract=contract, actor=buyer)


def seed(out, context: dict) -> dict:
    buyers = {u.email: u for u in User.objects.filter(email__in={s["buyer"] for s in STORIES})}
    created = 0
    with contract_emails_off():
        for spec in STORIES:
            buyer = buyers.get(spec["buyer"])
            if buyer is None or buyer.organisation is None:
                continue
            if Contract.objects.filter(
                organisation=buyer.organisation, title=spec["title"]
            ).exists():
                continue
            offer = _offer(spec["supplier"])
            if offer is None:
                continue
            contract = _award(spec, buyer, offer)
            _story(spec, buyer, contract)
            created += 1
        moved = lifecycle.contracts_move_due()
    counts = {s: Contract.objects.filter(status=s).count() for s in Contract.Status.values}
    out.write(
        "contracts: "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + f", {Contract.objects.filter(flagged_at__isnull=False).count()} flagged "
        f"({created} new stories, {moved['started']} started)\n"
    )
    return {}


def describe() -> list[str]:
    return [
        "Contract management:",
        "  buyer.admin@leeds.gov.uk: a contract with a year of quarterly reports, one extended and",
        "  one ended with its benefits assessed; buyer.admin@mft.nhs.uk: one flagged for two",
        "  Inadequate ratings and one varied twice; buyer.admin@education.gov.uk: one mobilising",
        "  and one terminated early. Staff: the contract register at /staff/contracts/.",
    ]
