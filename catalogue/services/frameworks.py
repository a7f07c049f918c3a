"""Framework workflows: frameworks and dynamic markets, their lots and declaration questions.

Each is atomic, validates before saving, and is audited. A framework's status changes only
through Framework.LIFECYCLE (see catalogue/models.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ndx.accounts.models import User
from ndx.accounts.services import require_staff
from ndx.audit.services import audit_record

from ..models import DeclarationQuestion, Framework, Lot, Offer
from ..search_index import offers_changed

FRAMEWORK_FIELDS = (
    "name",
    "reference",
    "kind",
    "description",
    "applications_open_on",
    "starts_on",
    "ends_on",
    "max_value",
)


def _clean_framework(data: dict[str, Any], instance: Framework | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = {
        k: data.get(k, getattr(instance, k, None) if instance else None) for k in FRAMEWORK_FIELDS
    }
    cleaned["name"] = " ".join(str(cleaned["name"] or "").split())
    cleaned["reference"] = str(cleaned["reference"] or "").strip().upper()
    cleaned["description"] = str(cleaned["description"] or "").strip()
    cleaned["kind"] = cleaned["kind"] or Framework.Kind.FRAMEWORK
    if not cleaned["name"]:
        errors["name"] = "Enter the framework's name"
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9./-]{1,29}", cleaned["reference"]):
        errors["reference"] = "Enter a reference of letters, numbers and hyphens, like RM6263"
    elif (
        Framework.objects.filter(reference=cleaned["reference"])
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["reference"] = f"A framework with reference {cleaned['reference']} already exists"
    if cleaned["kind"] not in Framework.Kind.values:
        errors["kind"] = "Select whether this is a framework or a dynamic market"
    starts, ends = cleaned["starts_on"], cleaned["ends_on"]
    if isinstance(starts, date) and isinstance(ends, date) and ends <= starts:
        errors["ends_on"] = "The expiry date must be after the date it goes live"
    opens = cleaned["applications_open_on"]
    if isinstance(opens, date) and isinstance(starts, date) and opens > starts:
        errors["applications_open_on"] = (
            "Applications must open on or before the date the framework goes live"
        )
    if cleaned["max_value"] is not None and cleaned["max_value"] <= 0:
        errors["max_value"] = "The maximum value must be more than £0"
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def framework_create(*, actor: User, **data: Any) -> Framework:
    require_staff(actor, "create frameworks")
    cleaned = _clean_framework(data)
    framework = Framework.objects.create(created_by=actor, **cleaned)
    audit_record(
        actor=actor,
        action="framework.created",
        obj=framework,
        detail={"reference": framework.reference},
    )
    return framework


@transaction.atomic
def framework_update(*, actor: User, framework: Framework, **data: Any) -> Framework:
    require_staff(actor, "edit frameworks")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.is_finished:
        raise ValidationError("A closed or expired framework cannot be edited.")
    cleaned = _clean_framework(data, framework)
    changed = {k: str(v) for k, v in cleaned.items() if getattr(framework, k) != v}
    for key, value in cleaned.items():
        setattr(framework, key, value)
    framework.save()
    audit_record(
        actor=actor, action="framework.updated", obj=framework, detail={"changed": changed}
    )
    return framework


@transaction.atomic
def framework_open_applications(*, actor: User, framework: Framework) -> Framework:
    require_staff(actor, "open frameworks")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    Framework.LIFECYCLE.check(
        framework, "open", message="Only a draft framework can be opened for applications."
    )
    if not framework.lots.exists():
        raise ValidationError("Add at least one lot before opening the framework for applications.")
    Framework.LIFECYCLE.apply(framework, "open")
    framework.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="framework.opened", obj=framework)
    return framework


@transaction.atomic
def framework_request_live(*, actor: User, framework: Framework) -> Framework:
    """Ask a second member of staff to approve the framework going live."""
    require_staff(actor, "ask for frameworks to go live")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not framework.can_go_live:
        raise ValidationError("Only a draft or open framework can be put forward to go live.")
    if not framework.lots.exists():
        raise ValidationError("Add at least one lot before the framework can go live.")
    framework.live_requested_by = actor
    framework.live_requested_at = timezone.now()
    framework.save(update_fields=["live_requested_by", "live_requested_at", "updated_at"])
    audit_record(actor=actor, action="framework.live_requested", obj=framework)
    return framework


@transaction.atomic
def framework_approve_live(*, actor: User, framework: Framework) -> Framework:
    """The second person: staff other than the creator and the requester approve it going live."""
    require_staff(actor, "approve frameworks")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.live_requested_at is None:
        raise ValidationError("Nobody has asked for this framework to go live yet.")
    Framework.LIFECYCLE.check(
        framework, "approve_live", message="Only a draft or open framework can go live."
    )
    if actor.pk in (framework.created_by_id, framework.live_requested_by_id):
        raise PermissionDenied(
            "A second member of staff must approve this framework: you created it or asked for "
            "it to go live."
        )
    if framework.has_ended:
        raise ValidationError("This framework's expiry date has passed.")
    Framework.LIFECYCLE.apply(framework, "approve_live")
    framework.approved_by = actor
    framework.approved_at = timezone.now()
    framework.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=actor,
        action="framework.approved_live",
        obj=framework,
        detail={
            "created_by": framework.created_by_id,
            "requested_by": framework.live_requested_by_id,
        },
    )
    offers_changed(Offer.objects.filter(lot__framework=framework).values_list("pk", flat=True))
    return framework


@transaction.atomic
def framework_close(*, actor: User, framework: Framework) -> Framework:
    require_staff(actor, "close frameworks")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    Framework.LIFECYCLE.apply(framework, "close", message="This framework is already closed.")
    framework.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="framework.closed", obj=framework)
    offers_changed(Offer.objects.filter(lot__framework=framework).values_list("pk", flat=True))
    return framework


@transaction.atomic
def framework_expire_due(*, today: date | None = None) -> int:
    """Mark frameworks whose expiry date has passed as expired. Idempotent."""
    today = today or timezone.localdate()
    due = list(
        Framework.objects.select_for_update()
        .filter(ends_on__lt=today)
        .filter(status__in=Framework.LIFECYCLE.move("expire").sources)
    )
    for framework in due:
        Framework.LIFECYCLE.apply(framework, "expire")
        framework.save(update_fields=["status", "updated_at"])
        audit_record(action="framework.expired", obj=framework)
    if due:
        offers_changed(Offer.objects.filter(lot__framework__in=due).values_list("pk", flat=True))
    return len(due)


def _clean_lot(framework: Framework, data: dict[str, Any], instance: Lot | None = None) -> dict:
    errors: dict[str, str] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = "Enter the lot's name"
    slug = slugify(data.get("slug") or name)[:80]
    others = framework.lots.exclude(pk=getattr(instance, "pk", None))
    if slug and others.filter(slug=slug).exists():
        errors["slug"] = f"This framework already has a lot called {slug}"
    number = data.get("number")
    if number is None:
        number = (
            instance.number
            if instance
            else (max(others.values_list("number", flat=True), default=0) + 1)
        )
    if others.filter(number=number).exists():
        errors["number"] = f"This framework already has a lot {number}"
    categories = [" ".join(str(c).split()) for c in data.get("categories") or []]
    categories = list(dict.fromkeys(c for c in categories if c))
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "slug": slug,
        "number": number,
        "description": str(data.get("description") or "").strip(),
        "direct_award_allowed": bool(data.get("direct_award_allowed", True)),
        "categories": categories,
    }


@transaction.atomic
def lot_create(*, actor: User, framework: Framework, **data: Any) -> Lot:
    require_staff(actor, "add lots")
    if framework.is_finished:
        raise ValidationError("Lots cannot be added to a closed or expired framework.")
    lot = Lot.objects.create(framework=framework, **_clean_lot(framework, data))
    audit_record(
        actor=actor, action="lot.created", obj=lot, detail={"framework": framework.reference}
    )
    return lot


@transaction.atomic
def lot_update(*, actor: User, lot: Lot, **data: Any) -> Lot:
    require_staff(actor, "edit lots")
    if lot.framework.is_finished:
        raise ValidationError("Lots of a closed or expired framework cannot be changed.")
    cleaned = _clean_lot(lot.framework, data, lot)
    for key, value in cleaned.items():
        setattr(lot, key, value)
    lot.save()
    audit_record(actor=actor, action="lot.updated", obj=lot)
    return lot


@transaction.atomic
def question_add(
    *,
    actor: User,
    framework: Framework,
    text: str,
    kind: str = "yes_no",
    hint: str = "",
    required_answer: str = "",
) -> DeclarationQuestion:
    require_staff(actor, "set declaration questions")
    text = " ".join((text or "").split())
    errors = {}
    if not text:
        errors["text"] = "Enter the question"
    if kind not in DeclarationQuestion.Kind.values:
        errors["kind"] = "Select the kind of answer"
    if required_answer not in ("", "yes", "no") or (required_answer and kind != "yes_no"):
        errors["required_answer"] = "Only yes or no questions can require an answer"
    if errors:
        raise ValidationError(errors)
    order = max(framework.questions.values_list("order", flat=True), default=0) + 1
    question = DeclarationQuestion.objects.create(
        framework=framework,
        text=text,
        kind=kind,
        hint=hint.strip(),
        required_answer=required_answer,
        order=order,
    )
    audit_record(
        actor=actor, action="framework.question_added", obj=framework, detail={"question": text}
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question: DeclarationQuestion) -> None:
    require_staff(actor, "set declaration questions")
    audit_record(
        actor=actor,
        action="framework.question_removed",
        obj=question.framework,
        detail={"question": question.text},
    )
    question.delete()
