"""Offer workflows: a supplier drafts, edits and submits an offer; staff approve, reject,
suspend and reinstate it; documents are attached to the version being edited.

Each is atomic, validates before saving, and is audited. Offer and revision statuses change
only through Offer.LIFECYCLE and OfferRevision.LIFECYCLE (see catalogue/models.py)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ndx.accounts.models import Organisation, User
from ndx.accounts.services import require_staff
from ndx.audit.services import audit_record

from ..models import Framework, Lot, Offer, OfferDocument, OfferRevision
from ..search_index import offers_changed, revision_search_index
from . import notices
from .content import clean_revision_content


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


def approved_lots_for(organisation: Organisation) -> QuerySet[Lot]:
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
        if revision.is_waiting_for_approval:
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
    if offer.is_suspended:
        raise ValidationError("A suspended offer cannot be changed. Contact the NDX team.")
    cleaned = clean_revision_content(data, lot=offer.lot)
    revision = _working_copy(offer, actor)
    before = {f: getattr(revision, f) for f in OfferRevision.CONTENT_FIELDS}
    for key, value in cleaned.items():
        setattr(revision, key, value)
    if OfferRevision.LIFECYCLE.can(revision, "edit"):
        OfferRevision.LIFECYCLE.apply(revision, "edit")
    revision.save()
    if Offer.LIFECYCLE.can(offer, "edit"):
        Offer.LIFECYCLE.apply(offer, "edit")
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
    if revision is None or not revision.is_editable:
        raise ValidationError("There are no changes to submit.")
    if offer.is_suspended:
        raise ValidationError("A suspended offer cannot be submitted. Contact the NDX team.")
    if not approved_lots_for(offer.supplier).filter(pk=offer.lot_id).exists():
        raise ValidationError("Your organisation is no longer approved to list offers in this lot.")
    content = {f: getattr(revision, f) for f in OfferRevision.CONTENT_FIELDS}
    clean_revision_content(content, lot=offer.lot, for_submission=True)
    OfferRevision.LIFECYCLE.apply(revision, "submit")
    revision.submitted_at = timezone.now()
    revision.rejection_reason = ""
    revision.save(update_fields=["status", "submitted_at", "rejection_reason", "updated_at"])
    if offer.published_revision_id is None or offer.is_withdrawn:
        Offer.LIFECYCLE.apply(offer, "submit")
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
    if revision is None:
        raise ValidationError("This offer is not waiting for approval.")
    OfferRevision.LIFECYCLE.apply(
        revision, "recall", message="This offer is not waiting for approval."
    )
    revision.submitted_at = None
    revision.save(update_fields=["status", "submitted_at", "updated_at"])
    if Offer.LIFECYCLE.can(offer, "recall"):
        Offer.LIFECYCLE.apply(offer, "recall")
        offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="offer.recalled", obj=offer, detail={"revision": revision.number}
    )
    return revision


def _publish(offer: Offer, revision: OfferRevision, actor: User | None) -> None:
    now = timezone.now()
    previous = offer.published_revision
    if previous is not None and previous.pk != revision.pk:
        OfferRevision.LIFECYCLE.apply(previous, "supersede")
        previous.save(update_fields=["status", "updated_at"])
    OfferRevision.LIFECYCLE.apply(revision, "publish")
    revision.reviewed_by = actor
    revision.reviewed_at = now
    revision.published_at = now
    revision.rejection_reason = ""
    revision.save()
    offer.published_revision = revision
    offer.working_revision = None
    Offer.LIFECYCLE.apply(offer, "publish")
    offer.status_reason = ""
    offer.first_published_at = offer.first_published_at or now
    offer.save()
    revision_search_index(revision_ids=[revision.pk])


@transaction.atomic
def offer_approve(*, actor: User, revision: OfferRevision) -> Offer:
    require_staff(actor, "approve offers")
    offer = Offer.objects.select_for_update().get(pk=revision.offer_id)
    revision = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_waiting_for_approval or offer.working_revision_id != revision.pk:
        raise ValidationError("This version is not waiting for approval.")
    if offer.is_suspended:
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
    notices.offer_decided_notify(offer, revision, approved=True)
    return offer


@transaction.atomic
def offer_reject(*, actor: User, revision: OfferRevision, reason: str) -> Offer:
    require_staff(actor, "reject offers")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for rejecting this offer"})
    offer = Offer.objects.select_for_update().get(pk=revision.offer_id)
    revision = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if not revision.is_waiting_for_approval or offer.working_revision_id != revision.pk:
        raise ValidationError("This version is not waiting for approval.")
    OfferRevision.LIFECYCLE.apply(revision, "reject")
    revision.reviewed_by = actor
    revision.reviewed_at = timezone.now()
    revision.rejection_reason = reason
    revision.save()
    if offer.published_revision_id is None or offer.is_withdrawn:
        Offer.LIFECYCLE.apply(offer, "reject")
    offer.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="offer.rejected",
        obj=offer,
        organisation=offer.supplier,
        detail={"revision": revision.number, "reason": reason},
    )
    notices.offer_decided_notify(offer, revision, approved=False)
    return offer


@transaction.atomic
def offer_withdraw(*, actor: User, offer: Offer, reason: str = "") -> Offer:
    """The supplier takes a published offer off the catalogue. Published versions are kept."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_own_offer(actor, offer)
    Offer.LIFECYCLE.apply(offer, "withdraw", message="Only a published offer can be withdrawn.")
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
    if offer.working_revision and offer.working_revision.is_waiting_for_approval:
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
    Offer.LIFECYCLE.apply(offer, "suspend", message="Only a published offer can be suspended.")
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
    Offer.LIFECYCLE.apply(offer, "reinstate", message="This offer is not suspended.")
    offer.status_reason = ""
    offer.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(actor=actor, action="offer.reinstated", obj=offer, organisation=offer.supplier)
    offers_changed([offer.pk])
    return offer


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
