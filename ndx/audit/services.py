"""Recording audit entries. Every workflow service calls audit_record inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    organisation=None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and actor is not None:
        organisation = actor.organisation
    return AuditEntry.objects.create(
        actor=actor,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=detail or {},
    )
