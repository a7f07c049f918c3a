"""Who may act for which organisation in the market workflows."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from ndx.accounts.models import Organisation, User


def buyer_of(actor: User, obj=None) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.BUYER:
        raise PermissionDenied("Only members of a buyer organisation can do this.")
    if obj is not None and obj.organisation_id != organisation.pk:
        raise PermissionDenied("This belongs to another organisation.")
    return organisation


def supplier_of(actor: User) -> Organisation:
    organisation = actor.organisation if actor and actor.is_authenticated else None
    if organisation is None or organisation.kind != Organisation.Kind.SUPPLIER:
        raise PermissionDenied("Only members of a supplier organisation can do this.")
    return organisation


def text(data: dict, field: str, *, required: str = "", limit: int = 5000) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: f"This must be {limit:,} characters or fewer"})
    return value
