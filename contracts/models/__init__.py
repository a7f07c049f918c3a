"""Contract models: the contract (contract.py) and its management after the award
(management.py: KPIs, performance reports, variations and versions, outcomes)."""

from .contract import Contract
from .management import (
    RATING_SCORES,
    ContractKpi,
    ContractOutcome,
    ContractVariation,
    ContractVersion,
    KpiResult,
    PerformanceReport,
    Rating,
)

__all__ = [
    "RATING_SCORES",
    "Contract",
    "ContractKpi",
    "ContractOutcome",
    "ContractVariation",
    "ContractVersion",
    "KpiResult",
    "PerformanceReport",
    "Rating",
]
