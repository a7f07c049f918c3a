"""Checks that every buyer workflow shares: who may act for which organisation, names,
and a competition's deadline."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ndx.accounts.models import Organisation, User

from ..models import (
    CompetitionInvitation,
    FurtherCompetition,
)


def buyer_organisation(actor: User) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.BUYER:
        raise PermissionDenied("Only members of a buyer organisation can do this.")
    return organisation


def own_organisation(actor: User, obj) -> Organisation:
    organisation = buyer_organisation(actor)
    if obj.organisation_id != organisation.pk:
        raise PermissionDenied("This belongs to another organisation.")
    return organisation


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name"})
    if len(name) > 150:
        raise ValidationError({"name": "The name must be 150 characters or fewer"})
    return name


def supplier_invitation(actor: User, invitation: CompetitionInvitation) -> CompetitionInvitation:
    if not CompetitionInvitation.objects.for_supplier(actor).filter(pk=invitation.pk).exists():
        raise PermissionDenied("This invitation is for another supplier.")
    return CompetitionInvitation.objects.select_related("competition").get(pk=invitation.pk)


def deadline_text(deadline: datetime) -> str:
    return timezone.localtime(deadline).strftime("%-d %B %Y at %H:%M")


def accepting(competition: FurtherCompetition, now: datetime, what: str) -> None:
    if not competition.is_open:
        raise ValidationError(
            f"This competition is {competition.get_status_display().lower()}: "
            f"{what} are no longer accepted."
        )
    if competition.is_past_deadline(now):
        raise ValidationError(
            f"The deadline was {deadline_text(competition.deadline)}: "
            f"late {what} cannot be accepted."
        )
