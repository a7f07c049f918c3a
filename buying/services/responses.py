"""Supplier responses to a further competition: submitted sealed before the deadline, then
scored by the buyer on each criterion after it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import (
    CompetitionInvitation,
    CompetitionResponse,
    FurtherCompetition,
)
from . import notices
from .common import accepting, deadline_text, own_organisation, supplier_invitation
from .terms import (
    CRITERIA,
    MAX_RESPONSE_TEXT,
    PENNY,
    award_text,
    award_unit_price,
    check_price,
    contract_value,
)


@transaction.atomic
def response_submit(
    *,
    actor: User,
    invitation: CompetitionInvitation,
    unit_price,
    quality_response: str,
    social_value_response: str,
    now: datetime | None = None,
) -> CompetitionResponse:
    """Submit (or, before the deadline, replace) a supplier's sealed response."""
    now = now or timezone.now()
    invitation = supplier_invitation(actor, invitation)
    competition = FurtherCompetition.objects.select_for_update().get(pk=invitation.competition_id)
    accepting(competition, now, "responses")
    errors, cleaned = {}, {}
    for field, clean in (
        ("unit_price", lambda: award_unit_price(unit_price)),
        (
            "quality_response",
            lambda: award_text(
                quality_response,
                "quality_response",
                "Enter your response on quality",
                limit=MAX_RESPONSE_TEXT,
            ),
        ),
        (
            "social_value_response",
            lambda: award_text(
                social_value_response,
                "social_value_response",
                "Enter your response on social value",
                limit=MAX_RESPONSE_TEXT,
            ),
        ),
    ):
        try:
            cleaned[field] = clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "unit_price" in cleaned:
        try:
            check_price(cleaned["unit_price"], invitation.national_price)
            contract_value(cleaned["unit_price"], competition.quantity)
        except ValidationError as exc:
            errors["unit_price"] = exc.messages
    if errors:
        raise ValidationError(errors)
    response, created = CompetitionResponse.objects.update_or_create(
        invitation=invitation,
        defaults={**cleaned, "submitted_by": actor, "submitted_at": now},
    )
    audit_record(
        actor=actor,
        action="competition_response.submitted" if created else "competition_response.replaced",
        obj=response,
        detail={"competition": competition.pk, "unit_price": str(cleaned["unit_price"])},
    )
    notices.invitation_responded(invitation)
    return response


def weighted_score(competition: FurtherCompetition, scores: dict[str, int]) -> Decimal:
    """The weighted total out of 100: each criterion's score times its weight."""
    total = sum(Decimal(scores[key]) * competition.weights[key] for key, _ in CRITERIA)
    return (total / 100).quantize(PENNY, rounding=ROUND_HALF_UP)


def price_score_suggestions(competition: FurtherCompetition) -> dict[int, int]:
    """A suggested price score per response: the lowest price scores 100, others in
    proportion (lowest / price x 100)."""
    responses = list(CompetitionResponse.objects.filter(invitation__competition=competition))
    if not responses:
        return {}
    lowest = min(r.unit_price for r in responses)
    suggestions = {}
    for response in responses:
        if response.unit_price == 0:
            suggestions[response.pk] = 100
        else:
            ratio = lowest / response.unit_price * 100
            suggestions[response.pk] = int(ratio.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return suggestions


def _score(raw, field: str, name: str) -> int:
    if raw is None or str(raw).strip() == "":
        raise ValidationError({field: f"Enter a score for {name}"})
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError({field: f"Enter the score for {name} as a whole number, like 70"})
    value = int(text)
    if value > 100:
        raise ValidationError({field: f"The score for {name} must be between 0 and 100"})
    return value


@transaction.atomic
def response_score(
    *,
    actor: User,
    response: CompetitionResponse,
    quality,
    price,
    social_value,
    now: datetime | None = None,
) -> CompetitionResponse:
    """Score one response 0 to 100 on each criterion; the weighted total follows."""
    now = now or timezone.now()
    competition = FurtherCompetition.objects.select_for_update().get(
        pk=CompetitionResponse.objects.values("invitation__competition").get(pk=response.pk)[
            "invitation__competition"
        ]
    )
    own_organisation(actor, competition)
    if not competition.is_open:
        raise ValidationError(
            f"This competition is {competition.get_status_display().lower()}: "
            "its scores can no longer change."
        )
    if not competition.is_past_deadline(now):
        raise ValidationError(
            f"Responses are sealed until the deadline ({deadline_text(competition.deadline)})."
        )
    errors, scores = {}, {}
    for key, name in CRITERIA:
        field = f"{key}_score"
        try:
            scores[key] = _score(
                {"quality": quality, "price": price, "social_value": social_value}[key], field, name
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    locked = CompetitionResponse.objects.select_for_update().get(pk=response.pk)
    locked.quality_score = scores["quality"]
    locked.price_score = scores["price"]
    locked.social_value_score = scores["social_value"]
    locked.weighted_score = weighted_score(competition, scores)
    locked.scored_by = actor
    locked.scored_at = now
    locked.save()
    audit_record(
        actor=actor,
        action="competition_response.scored",
        obj=locked,
        detail={"competition": competition.pk, **scores, "total": str(locked.weighted_score)},
    )
    return locked
