"""Shortlists: offers a buyer is considering. Freezing keeps the exact offer revisions and
prices at that moment, as evidence for a direct award; then the outcome is recorded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.models import Offer
from ndx.accounts.models import User
from ndx.audit.services import audit_record
from ndx.exports import export_table

from ..models import (
    MAX_SHORTLIST_ITEMS,
    Shortlist,
    ShortlistItem,
)
from .common import buyer_organisation, clean_name, own_organisation


def snapshot_item(shortlist: Shortlist, offer: Offer, position: int) -> ShortlistItem:
    revision = offer.published_revision
    profile = getattr(offer.supplier, "supplier_profile", None)
    return ShortlistItem(
        shortlist=shortlist,
        offer=offer,
        revision=revision,
        position=position,
        title=revision.title,
        supplier_name=offer.supplier.name,
        supplier_is_sme=profile.is_sme if profile else None,
        framework_reference=offer.lot.framework.reference,
        lot_name=offer.lot.name,
        pricing_model=revision.pricing_model,
        price=revision.price,
        list_price=revision.list_price,
        vat=revision.vat,
    )


@transaction.atomic
def shortlist_create(*, actor: User, name: str) -> Shortlist:
    organisation = buyer_organisation(actor)
    shortlist = Shortlist.objects.create(
        organisation=organisation, created_by=actor, name=clean_name(name)
    )
    audit_record(actor=actor, action="shortlist.created", obj=shortlist)
    return shortlist


@transaction.atomic
def shortlist_add_offer(*, actor: User, shortlist: Shortlist, offer_id: int) -> ShortlistItem:
    own_organisation(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if shortlist.is_frozen:
        raise ValidationError("This shortlist is frozen and cannot change.")
    offer = (
        Offer.objects.visible_to(actor)
        .buyable()
        .select_related("published_revision", "lot__framework", "supplier__supplier_profile")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise ValidationError("That offer is not available.")
    if shortlist.items.filter(offer=offer).exists():
        raise ValidationError(f"{offer} is already on this shortlist.")
    count = shortlist.items.count()
    if count >= MAX_SHORTLIST_ITEMS:
        raise ValidationError(f"A shortlist can hold at most {MAX_SHORTLIST_ITEMS} offers.")
    item = snapshot_item(shortlist, offer, count + 1)
    item.save()
    audit_record(
        actor=actor, action="shortlist.offer_added", obj=shortlist, detail={"offer": offer.pk}
    )
    return item


@transaction.atomic
def requirement_shortlist_add(*, actor: User, requirement, offer_id: int) -> ShortlistItem:
    """Add a matched offer to the requirement's open shortlist, starting one if needed."""
    organisation = own_organisation(actor, requirement)
    shortlist = (
        Shortlist.objects.select_for_update()
        .filter(organisation=organisation, requirement=requirement, status=Shortlist.Status.OPEN)
        .first()
    )
    if shortlist is None:
        shortlist = Shortlist.objects.create(
            organisation=organisation,
            created_by=actor,
            name=clean_name(f"Shortlist for {requirement.title}"[:150]),
            requirement=requirement,
        )
        audit_record(actor=actor, action="shortlist.created", obj=shortlist)
    return shortlist_add_offer(actor=actor, shortlist=shortlist, offer_id=offer_id)


@transaction.atomic
def shortlist_remove_item(*, actor: User, item: ShortlistItem) -> None:
    own_organisation(actor, item.shortlist)
    if item.shortlist.is_frozen:
        raise ValidationError("This shortlist is frozen and cannot change.")
    audit_record(
        actor=actor,
        action="shortlist.offer_removed",
        obj=item.shortlist,
        detail={"offer": item.offer_id},
    )
    item.delete()


@transaction.atomic
def shortlist_freeze(*, actor: User, shortlist: Shortlist) -> Shortlist:
    """Freeze an open shortlist: each item is pinned to the offer's published revision now."""
    own_organisation(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    Shortlist.LIFECYCLE.check(shortlist, "freeze", message="This shortlist is already frozen.")
    items = list(shortlist.items.select_related("offer__published_revision"))
    if not items:
        raise ValidationError("Add at least one offer before freezing the shortlist.")
    visible = set(
        Offer.objects.buyable()
        .filter(pk__in=[i.offer_id for i in items])
        .values_list("pk", flat=True)
    )
    gone = [i.title for i in items if i.offer_id not in visible]
    if gone:
        raise ValidationError(
            f"Remove offers that are no longer available first: {', '.join(gone)}"
        )
    for item in items:
        revision = item.offer.published_revision
        item.revision = revision
        item.title, item.price, item.list_price = (
            revision.title,
            revision.price,
            revision.list_price,
        )
        item.pricing_model, item.vat = revision.pricing_model, revision.vat
        item.save()
    Shortlist.LIFECYCLE.apply(shortlist, "freeze")
    shortlist.frozen_at = timezone.now()
    shortlist.frozen_by = actor
    shortlist.save()
    audit_record(
        actor=actor,
        action="shortlist.frozen",
        obj=shortlist,
        detail={"items": [[i.offer_id, i.revision_id, str(i.price)] for i in items]},
    )
    return shortlist


@transaction.atomic
def shortlist_record_outcome(
    *, actor: User, shortlist: Shortlist, outcome: str, note: str = ""
) -> Shortlist:
    own_organisation(actor, shortlist)
    shortlist = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if not shortlist.is_frozen:
        raise ValidationError("Freeze the shortlist before recording its outcome.")
    if not Shortlist.OUTCOME_LIFECYCLE.allowed(shortlist):
        raise ValidationError("The outcome has already been recorded.")
    if outcome not in Shortlist.Outcome.values:
        raise ValidationError({"outcome": "Select the outcome"})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": "The note must be 2,000 characters or fewer"})
    Shortlist.OUTCOME_LIFECYCLE.apply(shortlist, Shortlist.OUTCOME_MOVES[outcome])
    shortlist.outcome_note = note
    shortlist.outcome_recorded_at = timezone.now()
    shortlist.outcome_recorded_by = actor
    shortlist.save()
    audit_record(
        actor=actor, action="shortlist.outcome_recorded", obj=shortlist, detail={"outcome": outcome}
    )
    return shortlist


EXPORT_HEADERS = [
    "position",
    "offer_id",
    "revision",
    "title",
    "supplier",
    "sme",
    "framework",
    "lot",
    "price",
    "list_price",
    "unit",
    "vat",
]


def shortlist_export(*, shortlist: Shortlist, fmt: str) -> bytes:
    """The frozen list as CSV or ODS, one row per offer, with the exact revision and price."""
    if fmt not in ("csv", "ods"):
        raise ValidationError("Choose CSV or ODS")
    rows = [
        [
            item.position,
            item.offer_id,
            item.revision.number,
            item.title,
            item.supplier_name,
            {True: "yes", False: "no", None: ""}[item.supplier_is_sme],
            item.framework_reference,
            item.lot_name,
            "" if item.price is None else f"{item.price:.2f}",
            "" if item.list_price is None else f"{item.list_price:.2f}",
            item.pricing_model,
            item.vat,
        ]
        for item in shortlist.items.select_related("revision")
    ]
    # One safe writer for every export: cells that a spreadsheet would run as a formula are
    # neutralised, and ODS cells are text (ndx/exports.py).
    return export_table(rows, headers=EXPORT_HEADERS, fmt=fmt, title="Shortlist")
