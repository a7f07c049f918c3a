"""Benefits realisation: the outcomes a buyer wrote in its requirement (or at award) are on the
contract; the buyer records for each whether it was achieved, partly achieved or not, with
evidence, or marks the whole as not assessed with a reason. A contract cannot be closed as
ended without one or the other."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import Contract, ContractOutcome
from .common import buyer_of, required_text

ASSESSMENTS = set(ContractOutcome.Assessment.values)


@transaction.atomic
def contract_outcome_add(*, actor: User, contract: Contract, text) -> ContractOutcome:
    """An outcome added at or after award (for a contract without a requirement)."""
    buyer_of(actor, contract)
    cleaned = required_text(text, "text", "Enter the outcome", limit=500)
    return ContractOutcome.objects.create(
        contract=contract, position=contract.outcomes.count(), text=cleaned
    )


@transaction.atomic
def contract_benefits_assess(
    *, actor: User, contract: Contract, assessments: dict[int, dict], now: datetime | None = None
) -> Contract:
    """Record each outcome's assessment (achieved, partly, not achieved) and its evidence."""
    buyer_of(actor, contract)
    now = now or timezone.now()
    outcomes = list(contract.outcomes.all())
    if not outcomes:
        raise ValidationError(
            "This contract has no outcomes to assess: add the outcomes it was bought for, or "
            "mark the benefits as not assessed with a reason."
        )
    errors: dict = {}
    for outcome in outcomes:
        raw = assessments.get(outcome.pk) or {}
        assessment = str(raw.get("assessment") or "")
        if assessment not in ASSESSMENTS:
            errors[f"outcome_{outcome.pk}_assessment"] = (
                f"Say whether “{outcome.text}” was achieved"
            )
        try:
            evidence = required_text(
                raw.get("evidence"),
                f"outcome_{outcome.pk}_evidence",
                f"Give the evidence for “{outcome.text}”",
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        outcome.assessment, outcome.evidence = assessment, evidence
        outcome.assessed_by, outcome.assessed_at = actor, now
    if errors:
        raise ValidationError(errors)
    ContractOutcome.objects.bulk_update(
        outcomes, ["assessment", "evidence", "assessed_by", "assessed_at"]
    )
    Contract.objects.filter(pk=contract.pk).update(
        benefits=Contract.Benefits.ASSESSED, benefits_not_assessed_reason=""
    )
    contract.benefits = Contract.Benefits.ASSESSED
    audit_record(
        actor=actor,
        action="contract.benefits_assessed",
        obj=contract,
        detail={o.text[:80]: o.assessment for o in outcomes},
    )
    return contract


@transaction.atomic
def contract_benefits_not_assessed(*, actor: User, contract: Contract, reason) -> Contract:
    buyer_of(actor, contract)
    text = required_text(reason, "reason", "Enter why the benefits were not assessed")
    if contract.benefits == Contract.Benefits.ASSESSED:
        raise ValidationError("The benefits of this contract have already been assessed.")
    Contract.objects.filter(pk=contract.pk).update(
        benefits=Contract.Benefits.NOT_ASSESSED, benefits_not_assessed_reason=text
    )
    contract.benefits = Contract.Benefits.NOT_ASSESSED
    contract.benefits_not_assessed_reason = text
    audit_record(
        actor=actor, action="contract.benefits_not_assessed", obj=contract, detail={"reason": text}
    )
    return contract
