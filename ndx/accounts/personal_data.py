"""Everything NDX holds on one person, for the "Your data" download (UK GDPR, right of
access). The foundation's own records are collected here; each app adds what it holds through
its AppConfig `personal_data(user)` hook (ndx.appkit), e.g. reviews the person wrote.

Only records about this person: their account, membership, email addresses, sessions,
invitations they sent or accepted, and audit entries they made or that are about them."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from ndx import appkit
from ndx.audit.models import AuditEntry

from .models import Invitation, User


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _audit_entries(user: User) -> list[dict]:
    entries = AuditEntry.objects.filter(
        Q(actor=user) | Q(object_type=User._meta.label_lower, object_id=str(user.pk))
    ).select_related("organisation")
    return [
        {
            "at": _when(entry.created_at),
            "action": entry.action,
            "by_you": entry.actor_id == user.pk,
            "organisation": entry.organisation.name if entry.organisation else None,
            "object": entry.object_repr,
            "detail": entry.detail,
        }
        for entry in entries
    ]


def _sessions(user: User) -> list[dict]:
    from allauth.usersessions.models import UserSession

    return [
        {
            "started": _when(session.created_at),
            "last_seen": _when(session.last_seen_at),
            "ip": session.ip,
            "browser": session.user_agent,
        }
        for session in UserSession.objects.filter(user=user).order_by("created_at")
    ]


def personal_data_export(*, user: User) -> dict:
    """The person's data as a JSON-serialisable dict."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    membership = user.membership_or_none
    invitations = Invitation.objects.filter(
        Q(invited_by=user) | Q(accepted_by=user)
    ).select_related("organisation")
    data = {
        "exported_at": _when(timezone.now()),
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.full_name,
            "joined": _when(user.date_joined),
            "last_signed_in": _when(user.last_login),
            "platform_staff": user.is_staff,
            "status": user.status,
        },
        "membership": None
        if membership is None
        else {
            "organisation": membership.organisation.name,
            "organisation_type": membership.organisation.get_kind_display(),
            "role": membership.get_role_display(),
            "since": _when(membership.created_at),
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        # Which kinds of second factor are set up; never the secrets themselves.
        "two_factor": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
        "sessions": _sessions(user),
        "invitations": [
            {
                "email": i.email,
                "organisation": i.organisation.name,
                "role": i.role,
                "status": i.status,
                "sent_by_you": i.invited_by_id == user.pk,
                "sent": _when(i.created_at),
            }
            for i in invitations
        ],
        "audit_entries": _audit_entries(user),
    }
    for label, section in appkit.personal_data(user).items():
        data[label] = section
    return data
