"""Emailing notifications. Each task is idempotent (a notification is emailed once) and
retried with backoff when the mail server fails."""

import smtplib

from celery import shared_task

from .services import notification_digest_send, notification_email_send, notifications_digests_queue

MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True, autoretry_for=MAIL_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def send_notification_email(self, notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


@shared_task(
    bind=True, autoretry_for=MAIL_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def send_digest(self, user_id: int) -> int:
    return notification_digest_send(user_id=user_id)


@shared_task
def send_daily_digests() -> int:
    """Daily from beat: queue one digest per person who chose the daily summary."""
    return notifications_digests_queue()
