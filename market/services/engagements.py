"""Pre-market engagement: publish a problem, take questions and responses, then close, mark
useful responses, and either publish a summary or turn it into a requirement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from buying.models import Requirement
from buying.services import requirements as requirement_services
from ndx.accounts.models import User
from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from ..models import (
    CPV_DIVISIONS,
    REGION_CHOICES,
    Engagement,
    EngagementQuestion,
    EngagementResponse,
)
from .common import buyer_of, supplier_of, text

ALERT_TASK = "market.tasks.alert_engagement"


def _clean(data: dict) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    checks = {
        "title": ("Enter a short name for the engagement", 150),
        "problem": ("Describe the problem (not a solution)", 5000),
        "outcomes": ("Describe the outcomes you want", 5000),
        "constraints": ("", 3000),
        "market_questions": ("", 3000),
    }
    for field, (required, limit) in checks.items():
        try:
            cleaned[field] = text(data, field, required=required, limit=limit)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    for field in ("budget_min", "budget_max"):
        raw = data.get(field)
        if raw in (None, ""):
            cleaned[field] = None
            continue
        try:
            value = Decimal(str(raw).replace(",", "").replace("£", "").strip())
            if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
                raise ValueError
            cleaned[field] = value.quantize(Decimal("0.01"))
        except (ArithmeticError, ValueError):
            errors[field] = "Enter an amount in pounds, like 50000"
    low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
    if low is not None and high is not None and low > high:
        errors["budget_max"] = "The budget up to must be the same as or more than the budget from"
    closes_on = data.get("closes_on")
    if not isinstance(closes_on, date):
        errors["closes_on"] = "Enter a closing date"
    elif closes_on <= timezone.localdate():
        errors["closes_on"] = "The closing date must be in the future"
    cleaned["closes_on"] = closes_on
    division = data.get("cpv_division") or ""
    if division not in CPV_DIVISIONS:
        errors["cpv_division"] = "Select the sector"
    cleaned["cpv_division"] = division
    region = data.get("region") or ""
    if region and region not in dict(REGION_CHOICES):
        errors["region"] = "Select a region from the list"
    cleaned["region"] = region
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def engagement_publish(*, actor: User, data: dict, pipeline_entry=None) -> Engagement:
    """Publish a problem statement (public at once) and queue the directory's alerts."""
    organisation = buyer_of(actor)
    cleaned = _clean(data)
    engagement = Engagement.objects.create(organisation=organisation, created_by=actor, **cleaned)
    if pipeline_entry is not None:
        if pipeline_entry.organisation_id != organisation.pk or pipeline_entry.is_started:
            raise ValidationError("This forward plan entry has already been started.")
        pipeline_entry.engagement = engagement
        pipeline_entry.save(update_fields=["engagement"])
    audit_record(actor=actor, action="engagement.published", obj=engagement)
    enqueue_on_commit(ALERT_TASK, engagement.pk)
    return engagement


@transaction.atomic
def engagement_ask(*, actor: User, engagement: Engagement, question: str) -> EngagementQuestion:
    if not actor.is_authenticated or actor.organisation is None:
        raise PermissionDenied("Sign in as a member of an organisation to ask a question.")
    if not engagement.is_open:
        raise ValidationError("This engagement is closed: questions can no longer be asked.")
    question = text({"question": question}, "question", required="Enter your question", limit=2000)
    asked = EngagementQuestion.objects.create(
        engagement=engagement, organisation=actor.organisation, asked_by=actor, question=question
    )
    audit_record(actor=actor, action="engagement.question_asked", obj=engagement)
    return asked


@transaction.atomic
def engagement_answer(
    *, actor: User, question: EngagementQuestion, answer: str
) -> EngagementQuestion:
    """The buyer answers; the question and answer are then published to all."""
    buyer_of(actor, question.engagement)
    question.answer = text({"answer": answer}, "answer", required="Enter the answer", limit=5000)
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_at"])
    audit_record(actor=actor, action="engagement.question_answered", obj=question.engagement)
    return question


@transaction.atomic
def engagement_respond(*, actor: User, engagement: Engagement, data: dict) -> EngagementResponse:
    """Any supplier organisation (on a framework or not) responds once with an idea."""
    organisation = supplier_of(actor)
    if not engagement.is_open:
        raise ValidationError("This engagement is closed: responses can no longer be sent.")
    approach = text(data, "approach", required="Describe your approach", limit=5000)
    similar_work = text(data, "similar_work", limit=5000)
    rough_cost = text(data, "rough_cost", limit=200)
    if data.get("is_sme") not in (True, False) or data.get("is_vcse") not in (True, False):
        raise ValidationError({"is_sme": "Say whether you are an SME and whether you are a VCSE"})
    try:
        with transaction.atomic():
            response = EngagementResponse.objects.create(
                engagement=engagement,
                organisation=organisation,
                submitted_by=actor,
                approach=approach,
                similar_work=similar_work,
                rough_cost=rough_cost,
                is_sme=data["is_sme"],
                is_vcse=data["is_vcse"],
            )
    except IntegrityError:
        raise ValidationError(f"{organisation} has already responded to this engagement.") from None
    audit_record(actor=actor, action="engagement.responded", obj=engagement)
    return response


@transaction.atomic
def engagement_close(*, actor: User, engagement: Engagement) -> Engagement:
    """The buyer closes the engagement (early, or once the closing date has passed)."""
    buyer_of(actor, engagement)
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    Engagement.LIFECYCLE.apply(locked, "close", message="This engagement is already closed.")
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="engagement.closed", obj=locked)
    return locked


def engagements_close_due() -> int:
    """Close every open engagement past its closing date (beat task; idempotent)."""
    count = 0
    for engagement in Engagement.objects.due_to_close():
        with transaction.atomic():
            locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
            if locked.can_close:
                Engagement.LIFECYCLE.apply(locked, "close")
                locked.closed_at = timezone.now()
                locked.save(update_fields=["status", "closed_at", "updated_at"])
                audit_record(action="engagement.closed", obj=locked, detail={"by": "closing date"})
                count += 1
    return count


@transaction.atomic
def engagement_mark_useful(
    *, actor: User, response: EngagementResponse, useful: bool
) -> EngagementResponse:
    engagement = Engagement.objects.get(pk=response.engagement_id)
    buyer_of(actor, engagement)
    if engagement.is_open:
        raise ValidationError("Read and mark the responses after the engagement closes.")
    response.useful = bool(useful)
    response.save(update_fields=["useful"])
    audit_record(
        actor=actor,
        action="engagement.response_marked",
        obj=response.engagement,
        detail={"response": response.pk, "useful": response.useful},
    )
    return response


@transaction.atomic
def engagement_conclude(*, actor: User, engagement: Engagement, summary: str) -> Engagement:
    """Close with a published summary of what was learned."""
    buyer_of(actor, engagement)
    summary = text({"summary": summary}, "summary", required="Say what you learned", limit=5000)
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    Engagement.LIFECYCLE.apply(
        locked, "conclude", message="Close the engagement before publishing what you learned."
    )
    locked.summary = summary
    locked.save(update_fields=["status", "summary", "updated_at"])
    audit_record(actor=actor, action="engagement.concluded", obj=locked)
    return locked


def _requirement_problem(engagement: Engagement) -> str:
    parts = [engagement.problem, f"Outcomes wanted: {engagement.outcomes}"]
    if engagement.constraints:
        parts.append(f"Constraints: {engagement.constraints}")
    useful = [r for r in engagement.responses.all() if r.useful]
    if useful:
        names = ", ".join(str(r.organisation) for r in useful)
        parts.append(f"Useful ideas from the pre-market engagement came from: {names}.")
    return "\n\n".join(parts)[: requirement_services.MAX_PROBLEM]


@transaction.atomic
def engagement_convert(*, actor: User, engagement: Engagement) -> Requirement:
    """Turn a closed engagement into a draft requirement, pre-filled from it."""
    buyer_of(actor, engagement)
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    Engagement.LIFECYCLE.apply(
        locked, "convert", message="Close the engagement before turning it into a requirement."
    )
    requirement = requirement_services.requirement_start(actor=actor, title=locked.title)
    requirement_services.requirement_answer(
        actor=actor,
        requirement=requirement,
        step="problem",
        data={"problem": _requirement_problem(locked)},
    )
    if locked.budget_min is not None or locked.budget_max is not None:
        requirement_services.requirement_answer(
            actor=actor,
            requirement=requirement,
            step="budget",
            data={
                "budget_min": str(locked.budget_min or ""),
                "budget_max": str(locked.budget_max or ""),
            },
        )
    locked.requirement = requirement
    locked.save(update_fields=["status", "requirement", "updated_at"])
    audit_record(actor=actor, action="engagement.converted", obj=locked)
    return requirement
