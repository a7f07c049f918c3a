"""Background work for contracts: the daily lifecycle moves and reminders (Celery beat), and
emails queued by the services on commit. Every beat task takes no ids and is idempotent."""

import smtplib

from celery import shared_task

from .emails import (
    renewal_email_send,
    report_filed_email_send,
    report_reminder_email_send,
    variation_email_send,
)
from .services.lifecycle import contracts_move_due
from .services.performance import report_reminders_send
from .services.renewals import renewal_reminders_send

RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task
def move_contracts_daily() -> dict:
    """Daily: start contracts on their start date, end those past their end date."""
    return contracts_move_due()


@shared_task
def remind_overdue_reports() -> int:
    return report_reminders_send()


@shared_task
def remind_renewals() -> int:
    return renewal_reminders_send()


@shared_task(**RETRY)
def send_report_filed_email(report_id: int) -> None:
    report_filed_email_send(report_id=report_id)


@shared_task(**RETRY)
def send_report_reminder_email(contract_id: int, period_end: str) -> None:
    report_reminder_email_send(contract_id=contract_id, period_end=period_end)


@shared_task(**RETRY)
def send_variation_email(variation_id: int, kind: str) -> None:
    variation_email_send(variation_id=variation_id, kind=kind)


@shared_task(**RETRY)
def send_renewal_email(contract_id: int, days: int) -> None:
    renewal_email_send(contract_id=contract_id, days=days)
