"""Background work for reviews: reminding buyers to review their contracts (Celery beat)."""

import smtplib

from celery import shared_task

from .services import review_reminders_send


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def remind_buyers_to_review() -> int:
    """Daily: email buyers whose contracts started 60 days ago. Takes no ids and is idempotent:
    each contract is reminded once (Contract.review_reminder_sent_at), so a retry or a second
    run the same day sends nothing more."""
    return review_reminders_send()
