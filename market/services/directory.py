"""The supplier directory and its consent: join, change what you agreed to, withdraw (signed in,
or from the link in any email without signing in), and search (consenting members only)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.ranking_api import text_terms
from ndx.accounts.models import Organisation, User
from ndx.audit.services import audit_record
from ndx.notifications.models import Notification
from suppliers.models import Size

from ..models import CONSENT_WORDING, CPV_DIVISIONS, REGION_CHOICES, ConsentRecord, DirectoryMember
from .common import supplier_of, text

WITHDRAW_SALT = "market.consent-withdraw"
ALERT_KINDS = ("market.alert", "market.digest")


class TokenRefused(Exception):
    """The withdrawal link was altered, is for another member, or has expired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def withdraw_token(member: DirectoryMember) -> str:
    """A signed token naming the member (and when consent was given, so a token from before a
    withdrawal and a new consent still works only for the consent it was sent under)."""
    given = int(member.consented_at.timestamp()) if member.consented_at else 0
    return signing.TimestampSigner(salt=WITHDRAW_SALT).sign_object({"m": member.pk, "g": given})


def withdraw_url(member: DirectoryMember) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("market:withdraw", args=[withdraw_token(member)])


def member_from_token(token: str) -> DirectoryMember:
    try:
        data = signing.TimestampSigner(salt=WITHDRAW_SALT).unsign_object(
            token, max_age=settings.MARKET_WITHDRAW_LINK_DAYS * 86400
        )
    except signing.SignatureExpired:
        raise TokenRefused("expired") from None
    except signing.BadSignature:
        raise TokenRefused("forged") from None
    member = (
        DirectoryMember.objects.filter(pk=data.get("m")).first() if isinstance(data, dict) else None
    )
    if member is None:
        raise TokenRefused("forged")
    return member


def _choices(values, allowed: dict, field: str, message: str, *, required: bool) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if any(v not in allowed for v in values) or (required and not values):
        raise ValidationError({field: message})
    return values


def _clean(data: dict) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    try:
        cleaned["description"] = text(
            data, "description", required="Say what your organisation does", limit=5000
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    checks = [
        ("cpv_divisions", CPV_DIVISIONS, "Select at least one CPV division", True),
        ("regions", dict(REGION_CHOICES), "Select at least one region you serve", True),
        ("consent_sectors", CPV_DIVISIONS, "Select sectors from the list", False),
    ]
    for field, allowed, message, required in checks:
        try:
            cleaned[field] = _choices(data.get(field), allowed, field, message, required=required)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if data.get("size") not in Size.values:
        errors["size"] = "Select the size of your organisation"
    cleaned["size"] = data.get("size") or ""
    cleaned["is_vcse"] = bool(data.get("is_vcse"))
    cleaned["consent_contact"] = bool(data.get("consent_contact"))
    frequency = data.get("frequency") or DirectoryMember.Frequency.WEEKLY
    if frequency not in DirectoryMember.Frequency.values:
        errors["frequency"] = "Select how often we may email you"
    cleaned["frequency"] = frequency
    if errors:
        raise ValidationError(errors)
    return cleaned


def _profile_text(organisation: Organisation) -> str:
    profile = getattr(organisation, "supplier_profile", None)
    return profile.description if profile is not None else ""


def member_terms(member: DirectoryMember) -> list[str]:
    """What the matcher ranks the member by: its description, profile and divisions' names."""
    divisions = " ".join(CPV_DIVISIONS.get(c, "") for c in member.cpv_divisions)
    return text_terms(f"{member.description}\n{_profile_text(member.organisation)}\n{divisions}")


def _record(member, action, *, actor, via) -> ConsentRecord:
    return ConsentRecord.objects.create(
        member=member,
        action=action,
        wording=CONSENT_WORDING if action != ConsentRecord.Action.WITHDRAWN else "Withdrawn.",
        sectors=list(member.consent_sectors),
        frequency=member.frequency,
        by_user=actor,
        via=via,
    )


@transaction.atomic
def directory_join(*, actor: User, data: dict) -> DirectoryMember:
    """Join the directory, or change the entry and what was agreed to. Consent is recorded with
    its time and the exact wording shown; unticking it is a withdrawal."""
    organisation = supplier_of(actor)
    cleaned = _clean(data)
    member = DirectoryMember.objects.select_for_update().filter(organisation=organisation).first()
    now = timezone.now()
    was_consenting = member is not None and member.consents
    if member is None:
        member = DirectoryMember(organisation=organisation, contact=actor)
    for field, value in cleaned.items():
        setattr(member, field, value)
    if cleaned["consent_contact"]:
        if not was_consenting:
            member.consented_at = now
            member.contact = actor
        member.withdrawn_at = None
    elif was_consenting:
        member.withdrawn_at = now
    member.terms = member_terms(member)
    member.save()
    if cleaned["consent_contact"]:
        action = ConsentRecord.Action.CHANGED if was_consenting else ConsentRecord.Action.GIVEN
        _record(member, action, actor=actor, via="form")
    elif was_consenting:
        _stop_contact(member)
        _record(member, ConsentRecord.Action.WITHDRAWN, actor=actor, via="form")
    audit_record(actor=actor, action="directory.joined", obj=member, organisation=organisation)
    return member


def _stop_contact(member: DirectoryMember) -> None:
    """Nothing more is sent: pending alerts are cancelled and market notifications not yet
    emailed are removed (a queued email task then finds nothing to send)."""
    now = timezone.now()
    member.alerts.pending().update(cancelled_at=now)
    Notification.objects.filter(
        recipient=member.contact, kind__in=ALERT_KINDS, emailed_at__isnull=True
    ).delete()


@transaction.atomic
def directory_withdraw(*, member: DirectoryMember, actor: User | None = None) -> DirectoryMember:
    """Withdraw consent at once (from the emailed link, no sign-in: actor is None)."""
    locked = DirectoryMember.objects.select_for_update().get(pk=member.pk)
    if actor is not None and (
        actor.organisation is None or actor.organisation.pk != locked.organisation_id
    ):
        raise PermissionDenied("This directory entry belongs to another organisation.")
    if not locked.consents:
        return locked
    locked.withdrawn_at = timezone.now()
    locked.consent_contact = False
    locked.save(update_fields=["withdrawn_at", "consent_contact", "updated_at"])
    _stop_contact(locked)
    _record(
        locked,
        ConsentRecord.Action.WITHDRAWN,
        actor=actor,
        via="email link" if actor is None else "form",
    )
    audit_record(
        actor=actor,
        action="directory.consent_withdrawn",
        obj=locked,
        organisation=locked.organisation,
    )
    return locked


def directory_search(*, actor: User, query: str = "", division: str = "", region: str = ""):
    """Consenting members only, for staff and buyer organisations."""
    if not actor.is_authenticated or not (actor.is_staff or actor.is_buyer):
        raise PermissionDenied(
            "Only platform staff and buyer organisations can search the directory."
        )
    members = DirectoryMember.objects.consenting().select_related("organisation")
    for word in (query or "").split()[:10]:
        members = members.filter(
            Q(description__icontains=word) | Q(organisation__name__icontains=word)
        )
    members = list(members)
    if division in CPV_DIVISIONS:
        members = [m for m in members if division in m.cpv_divisions]
    if region:
        members = [m for m in members if region in m.regions]
    return members


def directory_terms_rebuild() -> int:
    """Recompute every member's matching terms (after a restore, or a change of analyser)."""
    count = 0
    for member in DirectoryMember.objects.select_related("organisation__supplier_profile"):
        member.terms = member_terms(member)
        member.save(update_fields=["terms"])
        count += 1
    return count
