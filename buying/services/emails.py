"""Award emails. Services queue them by task name (ndx.outbox.enqueue_on_commit) after the
transaction commits; buying.tasks runs the *_email_send functions here to send them."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from ndx.accounts.models import Organisation
from ndx.outbox import enqueue_on_commit

from ..models import (
    ClarificationQuestion,
    CompetitionInvitation,
    FurtherCompetition,
)
from .common import deadline_text


def _supplier_recipients(organisation: Organisation) -> list[str]:
    admins = list(
        organisation.memberships.filter(role="admin").values_list("user__email", flat=True)
    )
    return admins or list(organisation.memberships.values_list("user__email", flat=True))


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    if not recipients:
        return
    context = {**context, "site_url": getattr(settings, "SITE_URL", "").rstrip("/")}
    send_mail(subject, render_to_string(template, context), None, recipients)


def competition_email_send(*, invitation_id: int, kind: str) -> None:
    """Email one invited supplier: its invitation ("invited") or the outcome ("outcome")."""
    invitation = CompetitionInvitation.objects.select_related(
        "supplier", "competition__organisation"
    ).get(pk=invitation_id)
    competition = invitation.competition
    context = {
        "competition": competition,
        "invitation": invitation,
        "deadline": deadline_text(competition.deadline),
    }
    if kind == "invited":
        if not competition.is_open:
            return
        subject = f"Invitation to a further competition: {competition.title}"
        template = "buying/awards/email/invitation.txt"
    else:
        subjects = {
            CompetitionInvitation.Outcome.SUCCESSFUL: "Your response was successful",
            CompetitionInvitation.Outcome.UNSUCCESSFUL: "Your response was not successful",
            CompetitionInvitation.Outcome.CANCELLED: "Competition cancelled",
        }
        if invitation.outcome not in subjects:
            return
        subject = f"{subjects[invitation.outcome]}: {competition.title}"
        template = "buying/awards/email/outcome.txt"
    _send(subject, template, context, _supplier_recipients(invitation.supplier))


def clarification_email_send(*, question_id: int, invitation_id: int) -> None:
    question = ClarificationQuestion.objects.select_related("competition").get(pk=question_id)
    invitation = CompetitionInvitation.objects.select_related("supplier").get(pk=invitation_id)
    _send(
        f"A clarification has been published: {question.competition.title}",
        "buying/awards/email/clarification.txt",
        {"competition": question.competition, "invitation": invitation, "question": question},
        _supplier_recipients(invitation.supplier),
    )


_QUIET = contextvars.ContextVar("buying_awards_quiet", default=False)


@contextmanager
def award_emails_off():
    """Queue no award emails inside this block (for demo data, which nobody should receive)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def competition_emails_queue(competition: FurtherCompetition, kind: str) -> None:
    """After the commit, email every invited supplier: "invited" or "outcome"."""
    if _QUIET.get():
        return
    for pk in competition.invitations.values_list("pk", flat=True):
        enqueue_on_commit("buying.tasks.send_competition_email", pk, kind)


def clarification_emails_queue(question: ClarificationQuestion) -> None:
    """After the commit, email every invited supplier the published clarification."""
    if _QUIET.get():
        return
    for pk in question.competition.invitations.values_list("pk", flat=True):
        enqueue_on_commit("buying.tasks.send_clarification_email", question.pk, pk)
