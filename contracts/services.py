"""Contract workflows. `contract_create` is called by the award services in buying (direct award,
further competition award) once they have validated the terms; nothing else creates contracts."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from .models import Contract
from .social_value import BY_KEY


@transaction.atomic
def contract_create(*, actor: User, now: datetime, **fields) -> Contract:
    """Write the contract, then give it its reference (which needs the row's id), and audit it.

    `fields` are the Contract's fields (organisation, supplier, offer, revision, route, prices,
    term...), already validated by the award that calls this."""
    contract = Contract.objects.create(
        reference=f"pending-{uuid.uuid4().hex[:20]}", awarded_by=actor, awarded_at=now, **fields
    )
    contract.reference = f"NDX-{now:%Y}-{contract.pk:05d}"
    contract.save(update_fields=["reference"])
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
        },
    )
    return contract


def contract_social_value_record(*, contract: Contract, weight: int, scores: dict) -> Contract:
    """Keep the social value weight (%) and the scores per model criteria theme on a contract
    (called by the further competition award, inside its transaction)."""
    unknown = set(scores) - set(BY_KEY)
    if unknown or not 0 <= weight <= 100:
        raise ValueError(f"not social value scores: {sorted(unknown)} weight {weight}")
    contract.social_value_weight = weight
    contract.social_value_scores = dict(scores)
    contract.save(update_fields=["social_value_weight", "social_value_scores"])
    return contract
