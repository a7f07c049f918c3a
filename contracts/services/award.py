"""Creating a contract at award. The award services in buying validate the terms (prices, dates,
justification) and call `contract_create`; this adds what the contract itself needs: the
framework must still be running and have headroom for the value, the status is Mobilising until
the start date, and the KPIs, outcomes and version 1 are written beside it."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import Contract, ContractKpi, ContractOutcome, ContractVersion
from ..value import headroom, lot_median_unit_price
from .common import money

KPI_FREQUENCIES = {"monthly": "monthly", "quarterly": "quarterly"}


def parse_kpi(line: str) -> dict:
    """A KPI typed on one line: "name | measure | target | monthly or quarterly" (only the
    name is needed; quarterly unless said)."""
    parts = [part.strip() for part in str(line).split("|")]
    frequency = "quarterly"
    if len(parts) > 1 and parts[-1].lower() in KPI_FREQUENCIES:
        frequency = KPI_FREQUENCIES[parts.pop().lower()]
    parts += ["", "", ""]
    return {
        "name": parts[0][:300],
        "measure": parts[1][:300],
        "target": parts[2][:200],
        "frequency": frequency,
    }


def requirement_outcomes(requirement) -> list[str]:
    """The outcomes a buyer wrote in its requirement (the "problem or outcome wanted", a line
    each)."""
    if requirement is None:
        return []
    lines = str(getattr(requirement, "problem", "") or "").splitlines()
    return [" ".join(line.split())[:500] for line in lines if line.strip()]


def check_framework_open(framework, today) -> None:
    """Refuse an award through a framework (and its lots) that has ended."""
    if framework.ends_on is not None and framework.ends_on < today:
        raise ValidationError(
            f"{framework.name} ended on {framework.ends_on:%-d %B %Y}, so nothing more can be "
            "awarded through it or its lots."
        )


def check_headroom(framework, extra: Decimal, *, today, what: str = "This award") -> None:
    """Refuse an award (or a variation adding `extra`) after the framework has ended or past
    its maximum value, with the figures."""
    check_framework_open(framework, today)
    room = headroom(framework, Contract.objects.all())
    if room["maximum"] is not None and extra > 0 and room["awarded"] + extra > room["maximum"]:
        raise ValidationError(
            f"{what} of {money(extra)} would take {framework.name} past its maximum value of "
            f"{money(room['maximum'])}: {money(room['awarded'])} has been awarded through it "
            f"so far, so {money(max(room['left'], 0))} is left."
        )


@transaction.atomic
def contract_create(
    *,
    actor: User,
    now: datetime,
    outcomes: list[str] | None = None,
    baseline_unit_price: Decimal | None = None,
    **fields,
) -> Contract:
    """Write the contract, then give it its reference (which needs the row's id), and audit it.

    `fields` are the Contract's fields (organisation, supplier, offer, revision, route, prices,
    term...), already validated by the award that calls this. `baseline_unit_price` is the
    buyer's previous contract price for the same need; without it the baseline is the median
    awarded price of comparable contracts on the lot, when there are any."""
    today = timezone.localdate(now)
    offer = fields["offer"]
    check_headroom(offer.lot.framework, Decimal(fields["value"]), today=today)
    if baseline_unit_price is not None:
        fields["baseline_method"] = Contract.BaselineMethod.PREVIOUS_CONTRACT
        fields["baseline_unit_price"] = baseline_unit_price
    else:
        revision = fields["revision"]
        lot_median = lot_median_unit_price(
            Contract.objects.all(), offer.lot_id, revision.pricing_model
        )
        if lot_median is not None:
            fields["baseline_method"] = Contract.BaselineMethod.LOT_MEDIAN
            fields["baseline_unit_price"] = lot_median
    fields.setdefault(
        "status",
        Contract.Status.MOBILISING if fields["start_date"] > today else Contract.Status.ACTIVE,
    )
    fields.setdefault("award_value", fields["value"])
    fields.setdefault("original_end_date", fields["end_date"])
    contract = Contract.objects.create(
        reference=f"pending-{uuid.uuid4().hex[:20]}", awarded_by=actor, awarded_at=now, **fields
    )
    contract.reference = f"NDX-{now:%Y}-{contract.pk:05d}"
    contract.save(update_fields=["reference"])
    ContractKpi.objects.bulk_create(
        ContractKpi(contract=contract, position=i, **parse_kpi(line))
        for i, line in enumerate(contract.kpis)
    )
    texts = outcomes if outcomes else requirement_outcomes(contract.requirement)
    ContractOutcome.objects.bulk_create(
        ContractOutcome(contract=contract, position=i, text=text[:500])
        for i, text in enumerate(texts)
    )
    ContractVersion.objects.create(
        contract=contract,
        number=1,
        value=contract.value,
        quantity=contract.quantity,
        unit_price=contract.unit_price,
        end_date=contract.end_date,
        scope=contract.scope,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="contract.awarded",
        obj=contract,
        detail={
            "route": contract.route,
            "supplier": contract.supplier_id,
            "offer": contract.offer_id,
            "revision": contract.revision_id,
            "unit_price": str(contract.unit_price),
            "quantity": str(contract.quantity),
            "value": str(contract.value),
            "at": now.isoformat(),
        },
    )
    return contract
