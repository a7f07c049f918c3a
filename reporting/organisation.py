"""One buyer organisation's own figures, from its NDX contracts: spend, saving, SME share and
time to contract, overall and by financial year. Shown on its home and its reports page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from contracts.models import Contract

from .figures import fy_label

ZERO = Decimal("0")


@dataclass
class OrganisationFigures:
    label: str
    contracts: int = 0
    spend: Decimal = ZERO
    saving: Decimal = ZERO
    sme_spend: Decimal = ZERO
    days_to_contract: list[int] | None = None

    @property
    def sme_share(self) -> Decimal | None:
        """Spend with SMEs as a percentage of all spend (None with no spend)."""
        if not self.spend:
            return None
        return self.sme_spend * 100 / self.spend

    @property
    def median_days_to_contract(self) -> int | None:
        days = sorted(self.days_to_contract or [])
        if not days:
            return None
        middle = len(days) // 2
        if len(days) % 2:
            return days[middle]
        return round((days[middle - 1] + days[middle]) / 2)


def _add(figures: OrganisationFigures, contract: Contract, is_sme: bool) -> None:
    figures.contracts += 1
    figures.spend += contract.value
    if contract.list_price is not None:
        figures.saving += (contract.list_price - contract.unit_price) * contract.quantity
    if is_sme:
        figures.sme_spend += contract.value
    if contract.time_to_award is not None:
        figures.days_to_contract = (figures.days_to_contract or []) + [
            max(0, contract.time_to_award // timedelta(days=1))
        ]


def organisation_figures(organisation) -> tuple[OrganisationFigures, list[OrganisationFigures]]:
    """(overall, by financial year oldest first) for the organisation's contracts."""
    overall = OrganisationFigures("All years")
    by_year: dict[str, OrganisationFigures] = {}
    contracts = Contract.objects.for_buyer(organisation).select_related(
        "supplier__supplier_profile"
    )
    for contract in contracts.order_by("awarded_at", "pk"):
        profile = getattr(contract.supplier, "supplier_profile", None)
        is_sme = bool(profile is not None and profile.is_sme)
        label = fy_label(contract.awarded_at.date())
        _add(overall, contract, is_sme)
        _add(by_year.setdefault(label, OrganisationFigures(label)), contract, is_sme)
    return overall, [by_year[label] for label in sorted(by_year)]
