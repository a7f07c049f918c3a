"""Background work for suppliers: telling them about decisions."""

import smtplib

from celery import shared_task

from .services import application_email_send


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_application_decision_email(application_id: int) -> None:
    application_email_send(application_id=application_id)
