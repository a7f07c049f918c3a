"""When a member leaves an organisation (removed, left, or closed their account), their draft
requirements pass to an admin so nothing is lost (ndx.appkit `handover_member_work` hook,
registered in buying/apps.py). Each handover is audited."""

from __future__ import annotations

from django.db import transaction

from ndx.audit.services import audit_record

from .models import Requirement


@transaction.atomic
def requirement_drafts_handover(*, user, organisation, to) -> int:
    drafts = Requirement.objects.select_for_update().filter(
        organisation=organisation, created_by=user, status=Requirement.Status.DRAFT
    )
    count = 0
    for requirement in drafts:
        requirement.created_by = to
        requirement.save(update_fields=["created_by"])
        audit_record(
            actor=None,
            organisation=organisation,
            action="requirement.handed_over",
            obj=requirement,
            detail={"from": user.email, "from_id": user.pk, "to": to.email, "to_id": to.pk},
        )
        count += 1
    return count
