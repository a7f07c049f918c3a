"""Computing the reports' rows from spend returns and contracts (read-only; the services store
them in snapshots).

SME share: for each group, the spend with SMEs (and VCSEs) as a share of all spend, and the number
of contracts and of contracts with SMEs (and VCSEs).
- Spend is the spend returns' evidenced spend (credit notes included, so they reduce it) plus
  the total value of each NDX contract, counted in the month it was awarded.
- Contracts: each NDX contract is one. Spend returns do not name contracts, so each distinct
  buyer, supplier and lot relationship with spend in a group counts as one contract in that
  group (a relationship with spend in two years counts once in each year, and once overall).
  An SME contract is a relationship with SME spend, or an NDX contract with a supplier whose
  profile says it is an SME (unknown counts as not an SME).
- A spend row is an SME's as the return says; VCSE status comes from the supplier's profile.

Savings: over NDX contracts, saving = (list price at award - awarded unit price) x quantity,
for the contracts whose list price at award is known.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import SavingsRow, SmeShareRow, SpendRecord, pounds
from .spend import BUYER_TYPE_SECTORS, NO_SECTOR

OVERALL = "All"
PERIOD_DIMENSIONS = ("year", "fy", "quarter", "month")
ZERO = Decimal("0")


def fy_label(day: date) -> str:
    """The April-to-March financial year, like 2013-14."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def period_groups(day: date) -> dict[str, str]:
    return {
        "year": str(day.year),
        "fy": fy_label(day),
        "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        "month": f"{day.year}-{day.month:02d}",
    }


def _sorted_groups(dimension: str, groups: dict) -> list[str]:
    if dimension in PERIOD_DIMENSIONS:
        return sorted(groups)  # the labels sort in time order
    return sorted(groups, key=lambda g: (g.casefold(), g))


@dataclass
class _Tally:
    total: Decimal = ZERO
    sme: Decimal = ZERO
    vcse: Decimal = ZERO
    contracts: set = field(default_factory=set)
    sme_contracts: set = field(default_factory=set)
    vcse_contracts: set = field(default_factory=set)

    def add(self, amount: Decimal, contract_key, *, sme: bool, vcse: bool) -> None:
        self.total += amount
        self.contracts.add(contract_key)
        if sme:
            self.sme += amount
            self.sme_contracts.add(contract_key)
        if vcse:
            self.vcse += amount
            self.vcse_contracts.add(contract_key)


def _contracts():
    from contracts.models import Contract

    return Contract.objects.select_related(
        "organisation", "supplier__supplier_profile", "offer__lot__framework"
    ).order_by("pk")


def _profile_flags(organisation) -> tuple[bool, bool]:
    profile = getattr(organisation, "supplier_profile", None)
    if profile is None:
        return False, False
    return bool(profile.is_sme), bool(profile.is_vcse)


def _sector_of_buyer(organisation) -> str:
    return BUYER_TYPE_SECTORS.get(organisation.buyer_type, NO_SECTOR)


@dataclass
class SmeShareFigures:
    rows: list[SmeShareRow]
    spend_rows: int
    contracts: int


def sme_share_figures() -> SmeShareFigures:
    tallies: dict[str, dict[str, _Tally]] = {
        d: defaultdict(_Tally) for d in SmeShareRow.Dimension.values
    }

    def add(groups: dict[str, str], amount, key, sme, vcse):
        for dimension, group in groups.items():
            tallies[dimension][group].add(amount, key, sme=sme, vcse=vcse)

    # Spend returns, one row at a time: summed here rather than in the database because SQLite
    # sums decimals as floating point, and the totals must be exact.
    spend_rows = 0
    fields = (
        "month",
        "framework_name",
        "lot_name",
        "sector",
        "is_sme",
        "buyer_id",
        "buyer__name",
        "supplier_id",
        "supplier__supplier_profile__is_vcse",
        "amount",
    )
    records = SpendRecord.objects.order_by().values_list(*fields)
    for (
        month,
        framework,
        lot,
        sector,
        sme,
        buyer_id,
        buyer,
        supplier_id,
        vcse,
        amount,
    ) in records.iterator(chunk_size=5000):
        spend_rows += 1
        groups = {
            "overall": OVERALL,
            **period_groups(month),
            "framework": framework,
            "lot": lot,
            "sector": sector or NO_SECTOR,
            "buyer": buyer,
        }
        key = ("spend", buyer_id, supplier_id, lot.casefold())
        add(groups, amount, key, sme, bool(vcse))

    contracts = 0
    for contract in _contracts():
        contracts += 1
        sme, vcse = _profile_flags(contract.supplier)
        lot = contract.offer.lot
        groups = {
            "overall": OVERALL,
            **period_groups(timezone.localtime(contract.awarded_at).date()),
            "framework": lot.framework.name,
            "lot": lot.name,
            "sector": _sector_of_buyer(contract.organisation),
            "buyer": contract.organisation.name,
        }
        add(groups, contract.value, ("contract", contract.pk), sme, vcse)

    rows = []
    for dimension, groups in tallies.items():
        for position, group in enumerate(_sorted_groups(dimension, groups)):
            tally = groups[group]
            rows.append(
                SmeShareRow(
                    dimension=dimension,
                    position=position,
                    group=group[:255],
                    total_spend=tally.total,
                    sme_spend=tally.sme,
                    vcse_spend=tally.vcse,
                    contracts=len(tally.contracts),
                    sme_contracts=len(tally.sme_contracts),
                    vcse_contracts=len(tally.vcse_contracts),
                )
            )
    return SmeShareFigures(rows=rows, spend_rows=spend_rows, contracts=contracts)


@dataclass
class _Savings:
    contracts: int = 0
    priced: int = 0
    value: Decimal = ZERO
    list_value: Decimal = ZERO
    saving: Decimal = ZERO
    avoided: int = 0
    avoidance: Decimal = ZERO


@dataclass
class SavingsFigures:
    rows: list[SavingsRow]
    contracts: int


def savings_figures() -> SavingsFigures:
    tallies: dict[str, dict[str, _Savings]] = {
        d: defaultdict(_Savings) for d in SavingsRow.Dimension.values
    }
    contracts = 0
    for contract in _contracts():
        contracts += 1
        day = timezone.localtime(contract.awarded_at).date()
        groups = {
            "overall": OVERALL,
            "fy": fy_label(day),
            "year": str(day.year),
            "framework": contract.offer.lot.framework.name,
            "organisation": contract.organisation.name,
        }
        saving = contract.saving
        avoidance = contract.cost_avoidance
        for dimension, group in groups.items():
            tally = tallies[dimension][group]
            tally.contracts += 1
            tally.value += contract.value
            if saving is not None:
                tally.priced += 1
                tally.list_value += contract.list_price * contract.quantity
                tally.saving += saving
            if avoidance is not None:
                tally.avoided += 1
                tally.avoidance += avoidance
    rows = []
    for dimension, groups in tallies.items():
        order = ("fy", "year")
        ordered = sorted(groups) if dimension in order else _sorted_groups(dimension, groups)
        for position, group in enumerate(ordered):
            tally = groups[group]
            rows.append(
                SavingsRow(
                    dimension=dimension,
                    position=position,
                    group=group[:255],
                    contracts=tally.contracts,
                    priced_contracts=tally.priced,
                    total_value=tally.value,
                    list_value=pounds(tally.list_value),
                    saving=pounds(tally.saving),
                    avoidance_contracts=tally.avoided,
                    avoidance=pounds(tally.avoidance),
                )
            )
    return SavingsFigures(rows=rows, contracts=contracts)
