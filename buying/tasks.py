"""Background work for awards: emailing invited suppliers about invitations, clarifications and
outcomes, one task a supplier. Services queue these with transaction.on_commit, so nothing is
sent for a change that did not commit."""

import smtplib

from celery import shared_task

from .services.emails import clarification_email_send, competition_email_send
from .services.notices import competition_deadline_reminders_send

RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(**RETRY)
def send_competition_email(invitation_id: int, kind: str) -> None:
    competition_email_send(invitation_id=invitation_id, kind=kind)


@shared_task(**RETRY)
def send_clarification_email(question_id: int, invitation_id: int) -> None:
    clarification_email_send(question_id=question_id, invitation_id=invitation_id)


@shared_task
def remind_competition_deadlines() -> int:
    """Hourly: invited suppliers that have not responded hear 48 hours before the deadline
    (idempotent: one reminder an invitation)."""
    return competition_deadline_reminders_send()
