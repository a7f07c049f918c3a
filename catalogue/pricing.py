"""The one estimate of what an offer costs a buyer, shared by the comparison, the matches and
the award form, so every page shows the same figure for the same quantity and term.

    award_quantity("per_user_month", quantity=450, months=24)   # 10800: what the award form takes
    estimate_cost(price=Decimal("4.50"), pricing_model="per_user_month", quantity=450, months=24)

The award's contract value is unit price × award quantity, rounded to the penny (buying's
contract_value); the estimate is the same sum at the offer's national price. A per-user-month
price is charged for at least the offer's minimum term."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
MAX_QUANTITY = 10_000_000
MAX_MONTHS = 120


def award_quantity(pricing_model: str, *, quantity: int | Decimal, months: int) -> Decimal:
    """How many units of the price the buyer buys: users × months for a per-user-month
    price, one for a fixed price, otherwise the quantity itself (licences, units, days)."""
    quantity = Decimal(quantity)
    if pricing_model == "per_user_month":
        return quantity * Decimal(months)
    if pricing_model == "fixed":
        return Decimal(1)
    return quantity


def charged_months(months: int, minimum_term_months: int | None) -> int:
    return max(int(months), int(minimum_term_months or 0))


@dataclass(frozen=True)
class Estimate:
    total: Decimal
    award_quantity: Decimal
    months: int
    minimum_term_applied: bool


def estimate_cost(
    *,
    price: Decimal | None,
    pricing_model: str,
    quantity: int | Decimal,
    months: int,
    minimum_term_months: int | None = None,
) -> Estimate | None:
    """The estimated total cost (None when the offer states no price)."""
    if price is None:
        return None
    charged = months
    applied = False
    if pricing_model == "per_user_month":
        charged = charged_months(months, minimum_term_months)
        applied = charged != months
    units = award_quantity(pricing_model, quantity=quantity, months=charged)
    total = (Decimal(price) * units).quantize(PENNY, rounding=ROUND_HALF_UP)
    return Estimate(total=total, award_quantity=units, months=charged, minimum_term_applied=applied)


def estimate_for_revision(revision, *, quantity: int, months: int) -> Estimate | None:
    return estimate_cost(
        price=revision.price,
        pricing_model=revision.pricing_model,
        quantity=quantity,
        months=months,
        minimum_term_months=revision.minimum_term_months,
    )
