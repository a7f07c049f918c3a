"""Framework and offer workflows. Each is atomic, validates before saving, and is audited."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst, slugify

from ndx.accounts.models import Organisation, User
from ndx.accounts.services import require_staff
from ndx.audit.services import audit_record

from .models import (
    AccessibilityConformance,
    Certification,
    DeclarationQuestion,
    Framework,
    HostingLocation,
    Lot,
    Offer,
    OfferDocument,
    OfferRevision,
    PricingModel,
    VatTreatment,
)
from .search_index import offers_changed, revision_search_index

# --- frameworks ------------------------------------------------------------------------------

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
    if framework.status in (Framework.Status.CLOSED, Framework.Status.EXPIRED):
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
    if framework.status != Framework.Status.DRAFT:
        raise ValidationError("Only a draft framework can be opened for applications.")
    if not framework.lots.exists():
        raise ValidationError("Add at least one lot before opening the framework for applications.")
    framework.status = Framework.Status.OPEN
    framework.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="framework.opened", obj=framework)
    return framework


@transaction.atomic
def framework_request_live(*, actor: User, framework: Framework) -> Framework:
    """Ask a second member of staff to approve the framework going live."""
    require_staff(actor, "ask for frameworks to go live")
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status not in (Framework.Status.DRAFT, Framework.Status.OPEN):
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
    if framework.status not in (Framework.Status.DRAFT, Framework.Status.OPEN):
        raise ValidationError("Only a draft or open framework can go live.")
    if actor.pk in (framework.created_by_id, framework.live_requested_by_id):
        raise PermissionDenied(
            "A second member of staff must approve this framework: you created it or asked for "
            "it to go live."
        )
    if framework.has_ended:
        raise ValidationError("This framework's expiry date has passed.")
    framework.status = Framework.Status.LIVE
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
    if framework.status in (Framework.Status.CLOSED, Framework.Status.EXPIRED):
        raise ValidationError("This framework is already closed.")
    framework.status = Framework.Status.CLOSED
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
        .exclude(status__in=[Framework.Status.EXPIRED, Framework.Status.CLOSED])
    )
    for framework in due:
        framework.status = Framework.Status.EXPIRED
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
    if framework.status in (Framework.Status.CLOSED, Framework.Status.EXPIRED):
        raise ValidationError("Lots cannot be added to a closed or expired framework.")
    lot = Lot.objects.create(framework=framework, **_clean_lot(framework, data))
    audit_record(
        actor=actor, action="lot.created", obj=lot, detail={"framework": framework.reference}
    )
    return lot


@transaction.atomic
def lot_update(*, actor: User, lot: Lot, **data: Any) -> Lot:
    require_staff(actor, "edit lots")
    if lot.framework.status in (Framework.Status.CLOSED, Framework.Status.EXPIRED):
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


# --- offers ----------------------------------------------------------------------------------

CPV_RE = re.compile(r"^\d{8}(-\d)?$")
MAX_LIST_ITEMS = 20


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    items = [" ".join(str(v).split()) for v in value]
    return list(dict.fromkeys(i for i in items if i))


def parse_money(value: Any, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        raise ValidationError(
            {field: f"Enter the {label} as a number of pounds, like 12.50"}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {label} as a number of pounds, like 12.50"})
    if amount <= 0:
        raise ValidationError({field: f"The {label} must be more than £0"})
    # Size first: quantizing a huge number (like 1E+40) would itself fail.
    if amount >= Decimal("10000000000"):
        raise ValidationError({field: f"The {label} must be less than £10 billion"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"The {label} must be in pounds and pence, like 12.50"})
    return amount


def clean_revision_content(
    data: dict[str, Any], *, lot: Lot, for_submission: bool = False
) -> dict[str, Any]:
    """Validate an offer's content. Returns cleaned values; raises ValidationError per field."""
    errors: dict[str, str] = {}

    def text(key: str, max_length: int) -> str:
        value = str(data.get(key) or "").strip()
        if len(value) > max_length:
            label = OfferRevision._meta.get_field(key).verbose_name.capitalize()
            errors[key] = f"{label} must be {max_length:,} characters or fewer"
        return value

    cleaned: dict[str, Any] = {
        "title": " ".join(text("title", 200).split()),
        "summary": text("summary", 500),
        "description": text("description", 20000),
        "service_levels": text("service_levels", 5000),
        "other_certifications": text("other_certifications", 300),
    }
    if not cleaned["title"]:
        errors["title"] = "Enter the offer's title"
    for key in ("features", "benefits"):
        items = _text_list(data.get(key))
        if len(items) > MAX_LIST_ITEMS:
            errors[key] = f"List at most {MAX_LIST_ITEMS} {key}, one a line"
        elif any(len(i) > 300 for i in items):
            errors[key] = f"Each of the {key} must be 300 characters or fewer"
        cleaned[key] = items
    categories = _text_list(data.get("categories"))
    if lot.categories:
        unknown = [c for c in categories if c not in lot.categories]
        if unknown:
            errors["categories"] = (
                f"Choose categories from this lot's list ({unknown[0]} is not one)"
            )
    cleaned["categories"] = categories
    cpv = [
        c.strip()
        for c in _text_list(data.get("cpv_codes"))
        for c in re.split(r"[,\s]+", c)
        if c.strip()
    ]
    bad = [c for c in cpv if not CPV_RE.match(c)]
    if bad:
        errors["cpv_codes"] = (
            f"Enter CPV codes as 8 digits, like 72000000 or 72000000-5 ({bad[0]} is not)"
        )
    cleaned["cpv_codes"] = list(dict.fromkeys(cpv))

    pricing_model = data.get("pricing_model") or PricingModel.PER_UNIT
    if pricing_model not in PricingModel.values:
        errors["pricing_model"] = "Select how the offer is priced"
    cleaned["pricing_model"] = pricing_model
    for key, label in (("price", "national price"), ("list_price", "list price")):
        try:
            cleaned[key] = parse_money(data.get(key), key, label)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            cleaned[key] = None
    if (
        cleaned["price"] is not None
        and cleaned["list_price"] is not None
        and cleaned["price"] > cleaned["list_price"]
    ):
        errors["price"] = "The national price must be the same as or lower than the list price"
    vat = data.get("vat") or VatTreatment.EXCLUDING
    if vat not in VatTreatment.values:
        errors["vat"] = "Select whether prices include VAT"
    cleaned["vat"] = vat
    term = data.get("minimum_term_months")
    if term in (None, ""):
        cleaned["minimum_term_months"] = None
    else:
        try:
            term = int(term)
            if not 0 <= term <= 120:
                raise ValueError
        except (TypeError, ValueError):
            errors["minimum_term_months"] = (
                "Enter the minimum term as a whole number of months, from 0 to 120"
            )
            term = None
        cleaned["minimum_term_months"] = term
    certifications = _text_list(data.get("certifications"))
    if any(c not in Certification.values for c in certifications):
        errors["certifications"] = "Select certifications from the list"
    cleaned["certifications"] = certifications
    hosting = data.get("hosting_location") or ""
    if hosting and hosting not in HostingLocation.values:
        errors["hosting_location"] = "Select where data is hosted"
    cleaned["hosting_location"] = hosting
    accessibility = data.get("accessibility") or ""
    if accessibility and accessibility not in AccessibilityConformance.values:
        errors["accessibility"] = "Select the accessibility conformance"
    cleaned["accessibility"] = accessibility

    if for_submission:
        required = {
            "summary": "Enter a summary",
            "description": "Enter a description",
            "price": "Enter the national price",
            "list_price": "Enter the public list price",
            "hosting_location": "Select where data is hosted",
            "accessibility": "Select the accessibility conformance",
        }
        for key, message in required.items():
            if key not in errors and cleaned.get(key) in (None, ""):
                errors[key] = message
        if lot.categories and not categories and "categories" not in errors:
            errors["categories"] = "Select at least one category"
    if errors:
        raise ValidationError(errors)
    return cleaned


def _supplier_of(actor: User) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.SUPPLIER:
        raise PermissionDenied("Only members of a supplier organisation can list offers.")
    return organisation


def _require_own_offer(actor: User, offer: Offer) -> Organisation:
    organisation = _supplier_of(actor)
    if offer.supplier_id != organisation.pk:
        raise PermissionDenied("You can only change your own organisation's offers.")
    return organisation


def approved_lots_for(organisation: Organisation):
    """Lots this supplier may list offers in: approved applications, in good standing."""
    return (
        Lot.objects.filter(
            applications__supplier=organisation,
            applications__status="approved",
            framework__memberships__supplier=organisation,
            framework__memberships__status="active",
        )
        .exclude(framework__status__in=[Framework.Status.CLOSED, Framework.Status.EXPIRED])
        .distinct()
    )


@transaction.atomic
def offer_create(*, actor: User, lot: Lot, **data: Any) -> Offer:
    """A supplier starts a draft offer in a lot it has been approved for."""
    organisation = _supplier_of(actor)
    if not approved_lots_for(organisation).filter(pk=lot.pk).exists():
        raise PermissionDenied("Your organisation is not approved to list offers in this lot.")
    cleaned = clean_revision_content(data, lot=lot)
    offer = Offer.objects.create(supplier=organisation, lot=lot)
    revision = OfferRevision.objects.create(offer=offer, number=1, created_by=actor, **cleaned)
    offer.working_revision = revision
    offer.save(update_fields=["working_revision"])
    audit_record(actor=actor, action="offer.created", obj=offer, detail={"title": revision.title})
    return offer


def _working_copy(offer: Offer, actor: User | None) -> OfferRevision:
    """The revision to edit: the existing draft or rejected one, or a new copy of the published."""
    if offer.working_revision is not None:
        revision = offer.working_revision
        if revision.status == OfferRevision.Status.SUBMITTED:
            raise ValidationError(
                "This offer is waiting for approval. Recall the submission to change it."
            )
        return revision
    source = offer.published_revision
    if source is None:
        raise ValidationError("This offer has nothing to edit.")
    number = (offer.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = OfferRevision.objects.create(
        offer=offer,
        number=number,
        created_by=actor,
        **{field: getattr(source, field) for field in OfferRevision.CONTENT_FIELDS},
    )
    for document in source.documents.all():
        OfferDocument.objects.create(
            revision=revision,
            title=document.title,
            file=document.file.name,
            original_name=document.original_name,
            size=document.size,
            sha256=document.sha256,
        )
    offer.working_revision = revision
    offer.save(update_fields=["working_revision", "updated_at"])
    return revision


@transaction.atomic
def offer_update(*, actor: User, offer: Offer, **data: Any) -> OfferRevision:
    """Change an offer. A published offer gets a new revision; the published one stays live."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    if offer.status in (Offer.Status.SUSPENDED,):
        raise ValidationError("A suspended offer cannot be changed. Contact the NDX team.")
    cleaned = clean_revision_content(data, lot=offer.lot)
    revision = _working_copy(offer, actor)
    before = {f: getattr(revision, f) for f in OfferRevision.CONTENT_FIELDS}
    for key, value in cleaned.items():
        setattr(revision, key, value)
    if revision.status == OfferRevision.Status.REJECTED:
        revision.status = OfferRevision.Status.DRAFT
    revision.save()
    if offer.status in (Offer.Status.REJECTED,):
        offer.status = Offer.Status.DRAFT
    offer.save(update_fields=["status", "updated_at"])
    changed = sorted(f for f in OfferRevision.CONTENT_FIELDS if before[f] != getattr(revision, f))
    audit_record(
        actor=actor,
        action="offer.edited",
        obj=offer,
        detail={"revision": revision.number, "changed": changed},
    )
    return revision


@transaction.atomic
def offer_submit(*, actor: User, offer: Offer) -> OfferRevision:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    revision = offer.working_revision
    if revision is None or revision.status not in (
        OfferRevision.Status.DRAFT,
        OfferRevision.Status.REJECTED,
    ):
        raise ValidationError("There are no changes to submit.")
    if offer.status == Offer.Status.SUSPENDED:
        raise ValidationError("A suspended offer cannot be submitted. Contact the NDX team.")
    if not approved_lots_for(offer.supplier).filter(pk=offer.lot_id).exists():
        raise ValidationError("Your organisation is no longer approved to list offers in this lot.")
    content = {f: getattr(revision, f) for f in OfferRevision.CONTENT_FIELDS}
    clean_revision_content(content, lot=offer.lot, for_submission=True)
    revision.status = OfferRevision.Status.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.rejection_reason = ""
    revision.save(update_fields=["status", "submitted_at", "rejection_reason", "updated_at"])
    if offer.published_revision_id is None or offer.status == Offer.Status.WITHDRAWN:
        offer.status = Offer.Status.SUBMITTED
    offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="offer.submitted", obj=offer, detail={"revision": revision.number}
    )
    return revision


@transaction.atomic
def offer_recall(*, actor: User, offer: Offer) -> OfferRevision:
    """The supplier takes back a submission to change it."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    revision = offer.working_revision
    if revision is None or revision.status != OfferRevision.Status.SUBMITTED:
        raise ValidationError("This offer is not waiting for approval.")
    revision.status = OfferRevision.Status.DRAFT
    revision.submitted_at = None
    revision.save(update_fields=["status", "submitted_at", "updated_at"])
    if offer.status == Offer.Status.SUBMITTED:
        offer.status = Offer.Status.DRAFT
        offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="offer.recalled", obj=offer, detail={"revision": revision.number}
    )
    return revision


def _publish(offer: Offer, revision: OfferRevision, actor: User | None) -> None:
    now = timezone.now()
    previous = offer.published_revision
    if previous is not None and previous.pk != revision.pk:
        previous.status = OfferRevision.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    revision.status = OfferRevision.Status.PUBLISHED
    revision.reviewed_by = actor
    revision.reviewed_at = now
    revision.published_at = now
    revision.rejection_reason = ""
    revision.save()
    offer.published_revision = revision
    offer.working_revision = None
    offer.status = Offer.Status.PUBLISHED
    offer.status_reason = ""
    offer.first_published_at = offer.first_published_at or now
    offer.save()
    revision_search_index(revision_ids=[revision.pk])


@transaction.atomic
def offer_approve(*, actor: User, revision: OfferRevision) -> Offer:
    require_staff(actor, "approve offers")
    offer = Offer.objects.select_for_update().get(pk=revision.offer_id)
    revision = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if (
        revision.status != OfferRevision.Status.SUBMITTED
        or offer.working_revision_id != revision.pk
    ):
        raise ValidationError("This version is not waiting for approval.")
    if offer.status == Offer.Status.SUSPENDED:
        raise ValidationError("This offer is suspended. Reinstate it first.")
    _publish(offer, revision, actor)
    audit_record(
        actor=actor,
        action="offer.approved",
        obj=offer,
        organisation=offer.supplier,
        detail={"revision": revision.number},
    )
    offers_changed([offer.pk])
    return offer


@transaction.atomic
def offer_reject(*, actor: User, revision: OfferRevision, reason: str) -> Offer:
    require_staff(actor, "reject offers")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for rejecting this offer"})
    offer = Offer.objects.select_for_update().get(pk=revision.offer_id)
    revision = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if (
        revision.status != OfferRevision.Status.SUBMITTED
        or offer.working_revision_id != revision.pk
    ):
        raise ValidationError("This version is not waiting for approval.")
    revision.status = OfferRevision.Status.REJECTED
    revision.reviewed_by = actor
    revision.reviewed_at = timezone.now()
    revision.rejection_reason = reason
    revision.save()
    if offer.published_revision_id is None or offer.status == Offer.Status.WITHDRAWN:
        offer.status = Offer.Status.REJECTED
    offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="offer.rejected",
        obj=offer,
        organisation=offer.supplier,
        detail={"revision": revision.number, "reason": reason},
    )
    return offer


@transaction.atomic
def offer_withdraw(*, actor: User, offer: Offer, reason: str = "") -> Offer:
    """The supplier takes a published offer off the catalogue. Published versions are kept."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    if offer.status != Offer.Status.PUBLISHED:
        raise ValidationError("Only a published offer can be withdrawn.")
    offer.status = Offer.Status.WITHDRAWN
    offer.status_reason = (reason or "").strip()
    offer.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor, action="offer.withdrawn", obj=offer, detail={"reason": offer.status_reason}
    )
    offers_changed([offer.pk])
    return offer


@transaction.atomic
def offer_delete_draft(*, actor: User, offer: Offer) -> None:
    """Delete an offer that was never published (nothing can point at it)."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    if (
        offer.published_revision_id is not None
        or offer.revisions.filter(published_at__isnull=False).exists()
    ):
        raise ValidationError("A published offer cannot be deleted. Withdraw it instead.")
    if offer.working_revision and offer.working_revision.status == OfferRevision.Status.SUBMITTED:
        raise ValidationError("This offer is waiting for approval. Recall it before deleting it.")
    audit_record(actor=actor, action="offer.deleted", obj=offer)
    offer.working_revision = None
    offer.save(update_fields=["working_revision"])
    offer.delete()


@transaction.atomic
def offer_suspend(*, actor: User, offer: Offer, reason: str) -> Offer:
    require_staff(actor, "suspend offers")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for suspending this offer"})
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.PUBLISHED:
        raise ValidationError("Only a published offer can be suspended.")
    offer.status = Offer.Status.SUSPENDED
    offer.status_reason = reason
    offer.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="offer.suspended",
        obj=offer,
        organisation=offer.supplier,
        detail={"reason": reason},
    )
    offers_changed([offer.pk])
    return offer


@transaction.atomic
def offer_reinstate(*, actor: User, offer: Offer) -> Offer:
    require_staff(actor, "reinstate offers")
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != Offer.Status.SUSPENDED:
        raise ValidationError("This offer is not suspended.")
    offer.status = Offer.Status.PUBLISHED
    offer.status_reason = ""
    offer.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(actor=actor, action="offer.reinstated", obj=offer, organisation=offer.supplier)
    offers_changed([offer.pk])
    return offer


def revision_diff(revision: OfferRevision) -> list[dict[str, Any]]:
    """What changed in `revision` since the offer's published version (all fields if none)."""
    previous = revision.offer.published_revision
    if previous is not None and previous.pk == revision.pk:
        previous = (
            revision.offer.revisions.filter(number__lt=revision.number, published_at__isnull=False)
            .order_by("-number")
            .first()
        )
    rows = []
    for field in OfferRevision.CONTENT_FIELDS:
        new = getattr(revision, field)
        old = getattr(previous, field) if previous is not None else None
        if previous is not None and old == new:
            continue
        rows.append(
            {
                "field": field,
                "label": capfirst(OfferRevision._meta.get_field(field).verbose_name),
                "old": _display(revision, field, old) if previous is not None else None,
                "new": _display(revision, field, new),
            }
        )
    old_docs = {d.sha256 for d in previous.documents.all()} if previous else set()
    new_docs = {d.sha256: d.title for d in revision.documents.all()}
    if previous is None or set(new_docs) != old_docs:
        rows.append(
            {
                "field": "documents",
                "label": "Documents",
                "old": ", ".join(d.title for d in previous.documents.all()) if previous else None,
                "new": ", ".join(sorted(new_docs.values())),
            }
        )
    return rows


def _display(revision: OfferRevision, field: str, value: Any) -> str:
    if value in (None, "", []):
        return ""
    model_field = OfferRevision._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if field == "certifications":
        labels = dict(Certification.choices)
        return ", ".join(labels.get(v, v) for v in value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return f"£{value:,.2f}"
    return str(value)


# --- documents -------------------------------------------------------------------------------


def validate_pdf(*, name: str, content: bytes, content_type: str = "") -> None:
    if not content:
        raise ValidationError({"file": "The selected file is empty"})
    if len(content) > OfferDocument.MAX_BYTES:
        raise ValidationError({"file": "The selected file must be smaller than 10MB"})
    if not name.lower().endswith(".pdf") or (
        content_type
        and content_type not in ("application/pdf", "application/x-pdf", "application/octet-stream")
    ):
        raise ValidationError({"file": "The selected file must be a PDF"})
    if not content.startswith(b"%PDF-"):
        raise ValidationError(
            {"file": "The selected file must be a PDF (this file is not a real PDF)"}
        )


@transaction.atomic
def offer_document_add(
    *, actor: User, offer: Offer, title: str, name: str, content: bytes, content_type: str = ""
) -> OfferDocument:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Enter a title for the document"})
    validate_pdf(name=name, content=content, content_type=content_type)
    revision = _working_copy(offer, actor)
    if revision.documents.count() >= 10:
        raise ValidationError({"file": "An offer can have at most 10 documents"})
    digest = hashlib.sha256(content).hexdigest()
    document = OfferDocument(
        revision=revision,
        title=title[:200],
        original_name=name[:255],
        size=len(content),
        sha256=digest,
    )
    document.file.save(f"{digest[:16]}.pdf", ContentFile(content), save=False)
    document.save()
    audit_record(
        actor=actor,
        action="offer.document_added",
        obj=offer,
        detail={"title": title, "sha256": digest},
    )
    return document


@transaction.atomic
def offer_document_remove(*, actor: User, document: OfferDocument) -> None:
    offer = Offer.objects.select_for_update().get(pk=document.revision.offer_id)
    _require_own_offer(actor, offer)
    revision = _working_copy(offer, actor)
    # Removing from the working copy only; published versions keep their documents.
    target = revision.documents.filter(sha256=document.sha256).first()
    if target is None:
        raise ValidationError("That document is not on the version you are editing.")
    audit_record(
        actor=actor, action="offer.document_removed", obj=offer, detail={"title": target.title}
    )
    target.delete()
