"""Notifications for buying's events (ndx.notifications): a supplier invited to bid, its
question answered, a deadline 48 hours away; marked done when the supplier responds.

Each event has a stable key, so it is notified once however often the service runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ndx.notifications.services import (
    notification_send,
    notification_send_to_organisation,
    notifications_mark_done_for_organisation,
)

from ..models import ClarificationQuestion, CompetitionInvitation, FurtherCompetition

DEADLINE_WARNING = timedelta(hours=48)


def _when(moment: datetime) -> str:
    return (
        timezone.localtime(moment)
        .strftime("%-d %B %Y at %-I:%M%p")
        .replace("AM", "am")
        .replace("PM", "pm")
    )


def _competition_url(competition: FurtherCompetition) -> str:
    return reverse("buying:supplier_competition", args=[competition.pk])


def invitation_notify(invitation: CompetitionInvitation) -> None:
    """The supplier's members: you are invited to bid."""
    competition = invitation.competition
    notification_send_to_organisation(
        organisation=invitation.supplier,
        kind="buying.invited",
        title=f"You are invited to bid for {competition.title}",
        body=f"{competition.organisation} invites you to respond by {_when(competition.deadline)}.",
        url=_competition_url(competition),
        key=f"competition-invited-{invitation.pk}",
        obj=invitation,
        emailed_by_app=True,  # competition_emails_queue sends the invitation email
    )


def question_answered_notify(question: ClarificationQuestion) -> None:
    """The person who asked: your question is answered (every invited supplier sees it)."""
    if question.asked_by is None:
        return
    competition = question.competition
    notification_send(
        recipient=question.asked_by,
        kind="buying.question_answered",
        title=f"Your question about {competition.title} is answered",
        body="The answer is on the competition page, where every invited supplier can read it.",
        url=_competition_url(competition),
        key=f"question-answered-{question.pk}",
        obj=question.invitation,
        emailed_by_app=True,  # clarification_emails_queue emails every invited supplier
    )


def invitation_responded(invitation: CompetitionInvitation) -> None:
    """The supplier responded: what asked it to act is done."""
    notifications_mark_done_for_organisation(organisation=invitation.supplier, obj=invitation)


@transaction.atomic
def competition_deadline_reminders_send(*, now: datetime | None = None) -> int:
    """Invited suppliers that have not responded, in competitions closing in the next 48
    hours: one reminder each (the key names the invitation). Returns how many were sent."""
    now = now or timezone.now()
    invitations = (
        CompetitionInvitation.objects.filter(
            competition__status=FurtherCompetition.Status.OPEN,
            competition__deadline__gt=now,
            competition__deadline__lte=now + DEADLINE_WARNING,
            response__isnull=True,
        )
        .select_related("competition", "supplier")
        .order_by("pk")
    )
    sent = 0
    for invitation in invitations:
        competition = invitation.competition
        sent += len(
            notification_send_to_organisation(
                organisation=invitation.supplier,
                kind="buying.deadline_soon",
                title=f"Responses to {competition.title} close in less than 48 hours",
                body=f"Respond by {_when(competition.deadline)}.",
                url=_competition_url(competition),
                key=f"competition-deadline-{invitation.pk}",
                obj=invitation,
            )
        )
    return sent
