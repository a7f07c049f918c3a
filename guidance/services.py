"""Guidance workflows: staff edit playbook pages (each save is a new version, audited); buyers
offer a contract as a case study and staff publish or decline it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, ContractOutcome
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from .markdown import render
from .models import CaseStudy, GuidancePage, GuidanceVersion

TITLE_MAX = 150
SUMMARY_MAX = 300
BODY_MAX = 50_000
CASE_TEXT_MAX = 5_000


def _require_staff(actor: User) -> None:
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise ValidationError("Only platform staff can do this.")


def _text(data: dict, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (data.get(field) or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ValidationError({field: f"Enter {label}"})
    if len(value) > limit:
        name = label.removeprefix("a ").removeprefix("the ").capitalize()
        raise ValidationError({field: f"{name} must be {limit:,} characters or fewer"})
    return value


def _page_fields(data: dict) -> dict[str, str]:
    fields = {
        "title": _text(data, "title", "a title", TITLE_MAX),
        "summary": _text(data, "summary", "a summary", SUMMARY_MAX),
        "body": _text(data, "body", "the body", BODY_MAX),
    }
    if not render(fields["body"]).sections:
        raise ValidationError(
            {"body": "Give the body at least one heading (a line starting with ##) to link to"}
        )
    return fields


@transaction.atomic
def guidance_page_create(
    *, actor: User, slug: str, data: dict, position: int = 100
) -> GuidancePage:
    _require_staff(actor)
    fields = _page_fields(data)
    if GuidancePage.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A guidance page with this address already exists"})
    page = GuidancePage.objects.create(slug=slug, position=position, updated_by=actor, **fields)
    GuidanceVersion.objects.create(page=page, number=1, created_by=actor, **fields)
    audit_record(actor=actor, action="guidance.page_created", obj=page, detail={"version": 1})
    return page


@transaction.atomic
def guidance_page_update(*, actor: User, page: GuidancePage, data: dict) -> GuidancePage:
    """Save a new version of the page. An unchanged page writes nothing."""
    _require_staff(actor)
    fields = _page_fields(data)
    locked = GuidancePage.objects.select_for_update().get(pk=page.pk)
    if all(getattr(locked, name) == value for name, value in fields.items()):
        return locked
    changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
    locked.version += 1
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = actor
    locked.save()
    GuidanceVersion.objects.create(page=locked, number=locked.version, created_by=actor, **fields)
    audit_record(
        actor=actor,
        action="guidance.page_updated",
        obj=locked,
        detail={"version": locked.version, "changed": changed},
    )
    return locked


# --- case studies ------------------------------------------------------------------------------


def case_study_check_can_offer(*, actor: User, contract: Contract) -> None:
    """A member of the buying organisation may offer each contract once."""
    organisation = actor.organisation
    if organisation is None or organisation.pk != contract.organisation_id:
        raise ValidationError("Only the organisation that bought this contract can offer it.")
    if CaseStudy.objects.filter(contract=contract).exists():
        raise ValidationError("This contract has already been offered as a case study.")
    if not contract_achieved_something(contract):
        raise ValidationError(
            "Record at least one of this contract's outcomes as achieved first: a case study "
            "tells other buyers what a contract achieved."
        )


def contract_achieved_something(contract: Contract) -> bool:
    """The buyer recorded at least one of the contract's outcomes as achieved."""
    return contract.outcomes.filter(assessment=ContractOutcome.Assessment.ACHIEVED).exists()


@transaction.atomic
def case_study_offer(*, actor: User, contract: Contract, data: dict) -> CaseStudy:
    case_study_check_can_offer(actor=actor, contract=contract)
    if not data.get("supplier_agreed"):
        raise ValidationError(
            {"supplier_agreed": "Confirm that the supplier agrees to the case study"}
        )
    case_study = CaseStudy.objects.create(
        contract=contract,
        organisation=contract.organisation,
        title=_text(data, "title", "a title", TITLE_MAX),
        problem=_text(data, "problem", "the problem", CASE_TEXT_MAX),
        approach=_text(data, "approach", "the approach", CASE_TEXT_MAX),
        outcomes=_text(data, "outcomes", "the outcomes", CASE_TEXT_MAX),
        figures=_text(data, "figures", "the figures", CASE_TEXT_MAX, required=False),
        supplier_agreed=True,
        offered_by=actor,
    )
    audit_record(actor=actor, action="case_study.offered", obj=case_study)
    return case_study


@transaction.atomic
def case_study_publish(*, actor: User, case_study: CaseStudy) -> CaseStudy:
    _require_staff(actor)
    locked = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    CaseStudy.LIFECYCLE.apply(locked, "publish")
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="case_study.published", obj=locked)
    return locked


@transaction.atomic
def case_study_decline(*, actor: User, case_study: CaseStudy, reason: str) -> CaseStudy:
    """Decline an offered case study, or withdraw a published one, with a reason."""
    _require_staff(actor)
    reason = _text({"reason": reason}, "reason", "a reason", CASE_TEXT_MAX)
    locked = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    move = "withdraw" if locked.is_published else "decline"
    CaseStudy.LIFECYCLE.apply(locked, move)
    locked.decline_reason = reason
    locked.save(update_fields=["status", "decline_reason"])
    if move == "withdraw":
        audit_record(
            actor=actor, action="case_study.withdrawn", obj=locked, detail={"reason": reason}
        )
    else:
        audit_record(
            actor=actor, action="case_study.declined", obj=locked, detail={"reason": reason}
        )
    return locked
