"""Social value nationally, for /reports/: the weight further competitions gave social value,
and the winners' scores on each model criteria theme (contracts/social_value.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contracts.models import Contract
from contracts.social_value import THEMES


@dataclass(frozen=True)
class ThemeRow:
    name: str
    contracts: int
    average: Decimal | None


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def social_value_context() -> dict:
    rows = list(
        Contract.objects.filter(social_value_weight__isnull=False).values_list(
            "social_value_weight", "social_value_scores"
        )
    )
    weights = [weight for weight, _ in rows]
    themes = [
        ThemeRow(
            theme.name,
            sum(1 for _, scores in rows if theme.key in scores),
            _mean([scores[theme.key] for _, scores in rows if theme.key in scores]),
        )
        for theme in THEMES
    ]
    return {
        "contracts": len(rows),
        "average_weight": _mean(weights),
        "lowest_weight": min(weights) if weights else None,
        "highest_weight": max(weights) if weights else None,
        "themes": themes,
    }


def award_criteria_details(contract: Contract) -> str:
    """Plain words for OCDS tender.awardCriteriaDetails."""
    parts = [f"Social value weighted at {contract.social_value_weight}%"]
    by_key = {theme.key: theme.name for theme in THEMES}
    scored = [
        f"{by_key[key]} {score}/100"
        for key, score in sorted(contract.social_value_scores.items())
        if key in by_key
    ]
    if scored:
        parts.append("model criteria scores of the winning response: " + ", ".join(scored))
    return "; ".join(parts) + "."
