"""Further competitions: set up from a frozen shortlist (3 or more suppliers on one lot),
edited while a draft, published (invitations emailed) and cancelled."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.models import Offer
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    CompetitionInvitation,
    FurtherCompetition,
    Shortlist,
    ShortlistItem,
)
from . import notices
from .common import own_organisation
from .emails import competition_emails_queue
from .terms import (
    CRITERIA,
    MAX_COMPETITION_TITLE,
    MAX_RESPONSE_TEXT,
    MIN_INVITED_SUPPLIERS,
    MIN_SOCIAL_VALUE_WEIGHT,
    award_quantity,
    award_term,
    award_text,
    still_buyable,
    usable_shortlist,
)


def _weight(raw, field: str, name: str) -> int:
    if raw is None or str(raw).strip() == "":
        raise ValidationError({field: f"Enter the weight for {name}"})
    text = str(raw).strip().removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(
            {field: f"Enter the weight for {name} as a whole number of percent, like 30"}
        )
    value = int(text)
    if value > 100:
        raise ValidationError({field: f"The weight for {name} must be 100 or less"})
    return value


def _clean_weights(data: dict) -> dict:
    errors, weights = {}, {}
    for key, name in CRITERIA:
        field = f"weight_{key}"
        try:
            weights[field] = _weight(data.get(field), field, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if weights["weight_social_value"] < MIN_SOCIAL_VALUE_WEIGHT:
        raise ValidationError(
            {
                "weight_social_value": f"Social value must be weighted at least "
                f"{MIN_SOCIAL_VALUE_WEIGHT}% (you entered {weights['weight_social_value']}%)"
            }
        )
    total = sum(weights.values())
    if total != 100:
        raise ValidationError(
            {"weight_quality": f"The weights must add up to 100 (they add up to {total})"}
        )
    return weights


def _clean_deadline(raw, start: date | None, now: datetime) -> datetime:
    if raw in (None, ""):
        raise ValidationError({"deadline": "Enter the deadline for responses"})
    if not isinstance(raw, datetime):
        raise ValidationError({"deadline": "The deadline must be a real date and time"})
    deadline = raw if timezone.is_aware(raw) else timezone.make_aware(raw)
    if deadline <= now:
        raise ValidationError({"deadline": "The deadline must be in the future"})
    if start is not None and timezone.localtime(deadline).date() >= start:
        raise ValidationError({"deadline": "The deadline must be before the contract starts"})
    return deadline


def _clean_competition(data: dict, now: datetime) -> dict:
    """Every field of a competition's set-up, checked together so all errors show at once."""
    errors, cleaned = {}, {}

    def run(func):
        try:
            cleaned.update(func())
        except ValidationError as exc:
            errors.update(exc.message_dict)

    def title():
        value = " ".join(str(data.get("title") or "").split())
        if not value:
            raise ValidationError({"title": "Enter a title for the competition"})
        if len(value) > MAX_COMPETITION_TITLE:
            raise ValidationError(
                {"title": f"The title must be {MAX_COMPETITION_TITLE} characters or fewer"}
            )
        return {"title": value}

    run(title)
    run(
        lambda: {
            "description": award_text(
                data.get("description"),
                "description",
                "Describe the requirement suppliers are responding to",
                limit=MAX_RESPONSE_TEXT,
            )
        }
    )
    run(lambda: {"quantity": award_quantity(data.get("quantity"))})
    run(
        lambda: dict(
            zip(
                ("start_date", "end_date"),
                award_term(data.get("start_date"), data.get("end_date"), timezone.localdate(now)),
                strict=True,
            )
        )
    )
    run(
        lambda: {
            "quality_criteria": award_text(
                data.get("quality_criteria"),
                "quality_criteria",
                "Describe what suppliers' quality answers will be scored on",
            )
        }
    )
    run(
        lambda: {
            "social_value_criteria": award_text(
                data.get("social_value_criteria"),
                "social_value_criteria",
                "Describe what suppliers' social value answers will be scored on",
            )
        }
    )
    run(lambda: _clean_weights(data))
    run(lambda: {"deadline": _clean_deadline(data.get("deadline"), cleaned.get("start_date"), now)})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _invitable_items(shortlist: Shortlist, item_ids) -> list[ShortlistItem]:
    """The chosen items of the frozen shortlist: one offer per supplier, all on one lot, at
    least three suppliers, every offer still buyable."""
    try:
        ids = {int(i) for i in (item_ids or [])}
    except (TypeError, ValueError):
        raise ValidationError({"items": "Select suppliers from the shortlist"}) from None
    items = list(
        shortlist.items.filter(pk__in=ids).select_related(
            "offer__lot__framework", "offer__supplier", "revision"
        )
    )
    if len(items) != len(ids):
        raise ValidationError({"items": "Select suppliers from this shortlist"})
    if len(items) < MIN_INVITED_SUPPLIERS:
        raise ValidationError(
            {
                "items": f"Invite at least {MIN_INVITED_SUPPLIERS} suppliers "
                f"(you selected {len(items)})"
            }
        )
    suppliers = [item.offer.supplier_id for item in items]
    if len(set(suppliers)) != len(suppliers):
        raise ValidationError(
            {"items": "Select one offer from each supplier: some suppliers are selected twice"}
        )
    lots = {item.offer.lot_id for item in items}
    if len(lots) > 1:
        raise ValidationError(
            {"items": "Select offers from one lot only: a competition is run on a single lot"}
        )
    buyable = set(
        Offer.objects.buyable()
        .filter(pk__in=[item.offer_id for item in items])
        .values_list("pk", flat=True)
    )
    gone = [item.supplier_name for item in items if item.offer_id not in buyable]
    if gone:
        raise ValidationError(
            {"items": f"These suppliers' offers can no longer be bought: {', '.join(gone)}"}
        )
    return sorted(items, key=lambda item: item.position)


def _draft(actor: User, competition: FurtherCompetition) -> FurtherCompetition:
    own_organisation(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    if not locked.is_draft:
        raise ValidationError("The invitations have been sent, so the competition cannot change.")
    return locked


@transaction.atomic
def competition_invite(
    *, actor: User, competition: FurtherCompetition, item_ids
) -> list[CompetitionInvitation]:
    """Choose who a draft competition invites: replaces any earlier choice."""
    locked = _draft(actor, competition)
    items = _invitable_items(locked.shortlist, item_ids)
    locked.invitations.all().delete()
    invitations = CompetitionInvitation.objects.bulk_create(
        [
            CompetitionInvitation(
                competition=locked,
                supplier=item.offer.supplier,
                shortlist_item=item,
                offer=item.offer,
                revision=item.revision,
                national_price=item.price,
                list_price=item.list_price,
            )
            for item in items
        ]
    )
    locked.lot = items[0].offer.lot
    locked.save(update_fields=["lot", "updated_at"])
    competition.lot = locked.lot
    audit_record(
        actor=actor,
        action="competition.invited",
        obj=locked,
        detail={"suppliers": [item.offer.supplier_id for item in items]},
    )
    return invitations


@transaction.atomic
def competition_create(
    *, actor: User, shortlist: Shortlist, data: dict, now: datetime | None = None
) -> FurtherCompetition:
    """A draft competition from a frozen shortlist. `data` holds the set-up fields and `items`
    (the shortlist items to invite). Nothing is sent until it is published."""
    now = now or timezone.now()
    organisation = usable_shortlist(actor, shortlist)
    errors = {}
    try:
        cleaned = _clean_competition(data, now)
    except ValidationError as exc:
        cleaned = None
        errors.update(exc.message_dict)
    try:
        items = _invitable_items(shortlist, data.get("items"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    competition = FurtherCompetition.objects.create(
        organisation=organisation,
        created_by=actor,
        shortlist=shortlist,
        requirement=shortlist.requirement,
        lot=items[0].offer.lot,
        **cleaned,
    )
    audit_record(actor=actor, action="competition.created", obj=competition)
    competition_invite(actor=actor, competition=competition, item_ids=[i.pk for i in items])
    return competition


@transaction.atomic
def competition_update(
    *, actor: User, competition: FurtherCompetition, data: dict, now: datetime | None = None
) -> FurtherCompetition:
    now = now or timezone.now()
    locked = _draft(actor, competition)
    errors = {}
    try:
        cleaned = _clean_competition(data, now)
    except ValidationError as exc:
        cleaned = {}
        errors.update(exc.message_dict)
    try:
        _invitable_items(locked.shortlist, data.get("items"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(actor=actor, action="competition.updated", obj=locked)
    competition_invite(actor=actor, competition=locked, item_ids=data.get("items"))
    return locked


@transaction.atomic
def competition_publish(
    *, actor: User, competition: FurtherCompetition, now: datetime | None = None
) -> FurtherCompetition:
    """Send the invitations: each invited supplier sees it on its dashboard and by email."""
    now = now or timezone.now()
    locked = _draft(actor, competition)
    invitations = list(locked.invitations.select_related("supplier", "offer"))
    if len(invitations) < MIN_INVITED_SUPPLIERS:
        raise ValidationError(f"Invite at least {MIN_INVITED_SUPPLIERS} suppliers first.")
    if locked.deadline <= now:
        raise ValidationError("The deadline has passed: change it before sending the invitations.")
    for invitation in invitations:
        still_buyable(invitation.offer, invitation.supplier.name)
    FurtherCompetition.LIFECYCLE.apply(locked, "publish")
    locked.published_at = now
    locked.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="competition.published",
        obj=locked,
        detail={"deadline": locked.deadline.isoformat(), "invited": len(invitations)},
    )
    competition_emails_queue(locked, "invited")
    for invitation in invitations:
        notices.invitation_notify(invitation)
    competition.status, competition.published_at = locked.status, locked.published_at
    return locked


@transaction.atomic
def competition_cancel(
    *, actor: User, competition: FurtherCompetition, reason: str
) -> FurtherCompetition:
    """Stop a competition before it is awarded; invited suppliers are told why."""
    own_organisation(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    FurtherCompetition.LIFECYCLE.check(
        locked,
        "cancel",
        message=f"This competition has already been {locked.get_status_display().lower()}.",
    )
    reason = award_text(reason, "reason", "Enter why you are cancelling the competition")
    was_open = locked.is_open
    FurtherCompetition.LIFECYCLE.apply(locked, "cancel")
    locked.cancelled_reason = reason
    locked.save(update_fields=["status", "cancelled_reason", "updated_at"])
    for invitation in locked.invitations.all():
        CompetitionInvitation.LIFECYCLE.apply(invitation, "cancel")
        invitation.feedback = f"The buyer cancelled this competition: {reason}"
        invitation.save(update_fields=["outcome", "feedback"])
    audit_record(actor=actor, action="competition.cancelled", obj=locked, detail={"reason": reason})
    if was_open:
        competition_emails_queue(locked, "outcome")
    competition.status = locked.status
    return locked
