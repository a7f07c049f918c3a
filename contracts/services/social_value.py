"""Social value on a contract: the weight and the scores per model criteria theme kept from
the further competition that awarded it (buying.services.criteria)."""

from __future__ import annotations

from ..models import Contract
from ..social_value import BY_KEY


def contract_social_value_record(*, contract: Contract, weight: int, scores: dict) -> Contract:
    """Keep the social value weight (%) and the scores per model criteria theme on a contract
    (called by the further competition award, inside its transaction)."""
    unknown = set(scores) - set(BY_KEY)
    if unknown or not 0 <= weight <= 100:
        raise ValueError(f"not social value scores: {sorted(unknown)} weight {weight}")
    contract.social_value_weight = weight
    contract.social_value_scores = dict(scores)
    contract.save(update_fields=["social_value_weight", "social_value_scores"])
    return contract
