"""Emails about contracts, sent by contracts.tasks (queued by the services on commit). These are
the events that should become ndx.notifications notifications when that package is merged:
report filed, report overdue, variation proposed/accepted/rejected, renewal 90/30 days."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from ndx.accounts.models import User

from .models import Contract, ContractVariation, PerformanceReport


def _emails(organisation) -> list[str]:
    return list(
        User.objects.filter(membership__organisation=organisation, is_active=True).values_list(
            "email", flat=True
        )
    )


def _url(name: str, *args) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + reverse(name, args=args)


def _send(subject: str, body: str, organisation) -> int:
    recipients = _emails(organisation)
    if recipients:
        send_mail(subject, body, None, recipients)
    return len(recipients)


def report_filed_email_send(*, report_id: int) -> int:
    report = PerformanceReport.objects.select_related("contract__supplier").get(pk=report_id)
    contract = report.contract
    return _send(
        f"{contract.organisation.name} filed a performance report on {contract.reference}",
        f"{contract.organisation.name} rated your performance on {contract.title} "
        f"({report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}) as "
        f"{report.get_overall_rating_display()}.\n\nRead it and respond: "
        f"{_url('contracts:supplier_contract', contract.pk)}\n",
        contract.supplier,
    )


def report_reminder_email_send(*, contract_id: int, period_end: str) -> int:
    contract = Contract.objects.select_related("organisation").get(pk=contract_id)
    return _send(
        f"A performance report on {contract.reference} is overdue",
        f"The performance report on {contract.title} for the period ending {period_end} is "
        f"overdue.\n\nFile it: {_url('contracts:contract', contract.pk)}\n",
        contract.organisation,
    )


def variation_email_send(*, variation_id: int, kind: str) -> int:
    variation = ContractVariation.objects.select_related(
        "contract__organisation", "contract__supplier"
    ).get(pk=variation_id)
    contract = variation.contract
    if kind == "proposed":
        return _send(
            f"{contract.organisation.name} proposes a change to {contract.reference}",
            f"{contract.organisation.name} proposes change {variation.number} to "
            f"{contract.title}: {variation.reason}\n\nAccept or reject it: "
            f"{_url('contracts:supplier_contract', contract.pk)}\n",
            contract.supplier,
        )
    return _send(
        f"{contract.supplier.name} {kind} change {variation.number} to {contract.reference}",
        f"{contract.supplier.name} {kind} change {variation.number} to {contract.title}."
        f"\n\n{_url('contracts:contract', contract.pk)}\n",
        contract.organisation,
    )


def renewal_email_send(*, contract_id: int, days: int) -> int:
    contract = Contract.objects.select_related("organisation", "supplier").get(pk=contract_id)
    return _send(
        f"{contract.reference} ends within {days} days",
        f"{contract.title}, from {contract.supplier.name}, ends on "
        f"{contract.end_date:%-d %B %Y}. Decide whether to extend it, buy again or let it end."
        f"\n\n{_url('contracts:contract', contract.pk)}\n",
        contract.organisation,
    )
