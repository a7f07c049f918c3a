"""Checks shared by the contract workflows: whose contract it is, and tidy text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from ndx.accounts.models import User

MAX_TEXT = 5000


def buyer_of(actor: User, contract) -> None:
    organisation = getattr(actor, "organisation", None)
    if organisation is None or organisation.pk != contract.organisation_id:
        raise PermissionDenied("Only the buyer organisation can change this contract.")


def supplier_of(actor: User, contract) -> None:
    organisation = getattr(actor, "organisation", None)
    if organisation is None or organisation.pk != contract.supplier_id:
        raise PermissionDenied("Only the supplier can respond to this.")


def required_text(raw, field: str, missing: str, *, limit: int = MAX_TEXT) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: f"This must be {limit:,} characters or fewer"})
    return text


def optional_text(raw, field: str, *, limit: int = MAX_TEXT) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValidationError({field: f"This must be {limit:,} characters or fewer"})
    return text


def money(amount) -> str:
    return f"£{amount:,.2f}"
