"""Background work for accounts: sending invitation emails, pseudonymising old accounts."""

import smtplib

from celery import shared_task

from .leaving import accounts_pseudonymise_expired
from .services import invitation_email_send


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(self, invitation_id: int, base_url: str) -> None:
    invitation_email_send(invitation_id=invitation_id, base_url=base_url)


@shared_task
def pseudonymise_expired_accounts() -> dict[str, int]:
    """Daily: accounts suspended or unused for NDX_ACCOUNT_RETENTION_DAYS become "Former user N"."""
    return accounts_pseudonymise_expired()
