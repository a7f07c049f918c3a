"""Renewals and exit: contracts ending in the next 90 and 30 days are listed for their buyer
and emailed once each (Contract.renewal_90_sent_at, renewal_30_sent_at), by a daily beat task."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from ndx.audit.services import audit_record

from ..models import Contract
from .outbox import email_queue

WINDOWS = (90, 30)


def contracts_ending(contracts, *, days: int, today: date | None = None):
    today = today or timezone.localdate()
    return contracts.filter(
        status__in=[Contract.Status.MOBILISING, Contract.Status.ACTIVE],
        end_date__gte=today,
        end_date__lte=today + timedelta(days=days),
    ).order_by("end_date", "pk")


def renewal_reminders_send(*, today: date | None = None) -> int:
    """Email the buyer once when a contract comes within 90 days of its end, and once more
    within 30. Idempotent: the sent time is set in the same transaction, and such contracts
    are not picked again."""
    today = today or timezone.localdate()
    sent = 0
    for days in WINDOWS:
        field = f"renewal_{days}_sent_at"
        due = contracts_ending(Contract.objects.all(), days=days, today=today).filter(
            **{f"{field}__isnull": True}
        )
        if days == 90:  # one found first inside 30 days gets only the 30-day email
            due = due.filter(end_date__gt=today + timedelta(days=30))
        for pk in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                updated = Contract.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
                    **{field: timezone.now()}
                )
                if not updated:
                    continue
                contract = Contract.objects.select_related("organisation").get(pk=pk)
                if days == 30 and contract.renewal_90_sent_at is None:
                    Contract.objects.filter(pk=pk).update(renewal_90_sent_at=timezone.now())
                audit_record(
                    action="contract.renewal_reminder",
                    obj=contract,
                    organisation=contract.organisation,
                    detail={"days": days},
                )
                email_queue("contracts.tasks.send_renewal_email", pk, days)
            sent += 1
    return sent
