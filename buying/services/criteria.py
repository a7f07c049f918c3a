"""Model social value criteria in further competitions: the buyer picks themes from the library
(contracts/social_value.py) for a draft competition, whose social value criteria then carry
the themes' example questions and scoring guide; after the deadline the buyer scores each
response on each theme; the award keeps the weight and the winner's theme scores on the
contract (contracts.services.contract_social_value_record)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from contracts.services import contract_social_value_record
from contracts.social_value import BY_KEY, THEMES
from ndx.accounts.models import User
from ndx.audit.services import audit_record

from ..models import CompetitionResponse, FurtherCompetition
from .common import deadline_text, own_organisation
from .terms import MAX_AWARD_TEXT


def themes_text(keys: list[str]) -> str:
    """The chosen themes' questions and scoring guide, as criteria suppliers read."""
    parts = []
    for theme in THEMES:
        if theme.key in keys:
            questions = "\n".join(f"- {q}" for q in theme.questions)
            parts.append(f"{theme.name}:\n{questions}")
    if parts:
        parts.append(f"Each theme is scored from 0 to 100. {THEMES[0].scoring}")
    return "\n\n".join(parts)


@transaction.atomic
def competition_themes_set(
    *, actor: User, competition: FurtherCompetition, themes: list[str], note: str = ""
) -> FurtherCompetition:
    """Choose the model criteria themes of a draft competition (at least one)."""
    own_organisation(actor, competition)
    locked = FurtherCompetition.objects.select_for_update().get(pk=competition.pk)
    if not locked.LIFECYCLE.can(locked, "publish"):
        raise ValidationError("The criteria of a competition that has been sent cannot change.")
    chosen = [theme.key for theme in THEMES if theme.key in set(themes)]  # the library's order
    if not chosen or len(chosen) != len(set(themes)):
        raise ValidationError({"themes": "Choose at least one theme from the list"})
    text = themes_text(chosen)
    note = (note or "").strip()
    if note:
        text = f"{note}\n\n{text}"
    if len(text) > MAX_AWARD_TEXT:
        raise ValidationError({"note": "Your own words are too long"})
    locked.social_value_themes = chosen
    locked.social_value_criteria = text
    locked.save(update_fields=["social_value_themes", "social_value_criteria"])
    audit_record(
        actor=actor, action="competition.social_value_themes", obj=locked, detail={"themes": chosen}
    )
    return locked


@transaction.atomic
def response_theme_scores_set(
    *, actor: User, response: CompetitionResponse, scores: dict, now: datetime | None = None
) -> CompetitionResponse:
    """Score a response 0 to 100 on each theme of its competition (after the deadline)."""
    now = now or timezone.now()
    locked = CompetitionResponse.objects.select_for_update().get(pk=response.pk)
    competition = FurtherCompetition.objects.get(pk=locked.invitation.competition_id)
    own_organisation(actor, competition)
    if not competition.is_open:
        raise ValidationError("The scores of this competition can no longer change.")
    if not competition.is_past_deadline(now):
        raise ValidationError(
            f"Responses are sealed until the deadline ({deadline_text(competition.deadline)})."
        )
    cleaned, errors = {}, {}
    for key in competition.social_value_themes:
        raw = scores.get(key)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not 0 <= value <= 100:
            errors[key] = f"Enter a score from 0 to 100 for {BY_KEY[key].name.lower()}"
        else:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    locked.social_value_theme_scores = cleaned
    locked.save(update_fields=["social_value_theme_scores"])
    audit_record(actor=actor, action="response.theme_scores", obj=locked, detail=cleaned)
    return locked


def contract_record_social_value(*, contract: Contract, competition: FurtherCompetition) -> None:
    """After an award: keep the social value weight and the winner's theme scores."""
    winner = CompetitionResponse.objects.filter(
        invitation__competition=competition, invitation__supplier=contract.supplier
    ).first()
    scores = {}
    if winner is not None:
        scores = {
            key: value
            for key, value in winner.social_value_theme_scores.items()
            if key in competition.social_value_themes
        }
    contract_social_value_record(
        contract=contract, weight=competition.weight_social_value, scores=scores
    )
