"""Clarification questions: invited suppliers ask before the deadline; the buyer answers
and the question (without who asked) and answer go to every invited supplier."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    ClarificationQuestion,
    CompetitionInvitation,
    FurtherCompetition,
)
from . import notices
from .common import accepting, own_organisation, supplier_invitation
from .emails import clarification_emails_queue
from .terms import MAX_QUESTION, award_text


@transaction.atomic
def clarification_ask(
    *, actor: User, invitation: CompetitionInvitation, question: str, now: datetime | None = None
) -> ClarificationQuestion:
    now = now or timezone.now()
    invitation = supplier_invitation(actor, invitation)
    competition = FurtherCompetition.objects.select_for_update().get(pk=invitation.competition_id)
    accepting(competition, now, "questions")
    text = award_text(question, "question", "Enter your question", limit=MAX_QUESTION)
    asked = ClarificationQuestion.objects.create(
        competition=competition, invitation=invitation, question=text, asked_by=actor, asked_at=now
    )
    audit_record(
        actor=actor,
        action="clarification.asked",
        obj=asked,
        detail={"competition": competition.pk},
    )
    return asked


@transaction.atomic
def clarification_answer(
    *,
    actor: User,
    question: ClarificationQuestion,
    answer: str,
    shared_question: str = "",
    now: datetime | None = None,
) -> ClarificationQuestion:
    """Answer a question. The question (reworded if need be, so it does not say who asked)
    and the answer are shown to every invited supplier, and they are emailed."""
    now = now or timezone.now()
    own_organisation(actor, question.competition)
    locked = ClarificationQuestion.objects.select_for_update().get(pk=question.pk)
    if locked.is_answered:
        raise ValidationError("This question has already been answered.")
    if not question.competition.is_open:
        raise ValidationError("Questions can only be answered while the competition is open.")
    errors, cleaned = {}, {}
    try:
        cleaned["answer"] = award_text(answer, "answer", "Enter your answer")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    shared = "" if shared_question is None else str(shared_question).strip()
    if len(shared) > MAX_QUESTION:
        errors["shared_question"] = f"The question must be {MAX_QUESTION:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    locked.shared_question = shared or locked.question
    locked.answer = cleaned["answer"]
    locked.answered_by = actor
    locked.answered_at = now
    locked.save()
    audit_record(
        actor=actor,
        action="clarification.answered",
        obj=locked,
        detail={"competition": locked.competition_id},
    )
    clarification_emails_queue(locked)
    notices.question_answered_notify(locked)
    question.answer, question.answered_at = locked.answer, locked.answered_at
    return locked
