"""What a contract is worth: the value from an offer's pricing model and what the buyer knows
(users or units, term), the warning against the requirement's estimate, cost avoidance
baselines and a framework's headroom.

(catalogue/pricing.py, from another branch, estimates a cost from a pricing model for the
matches page; `pricing_quantity` here is the same rule for awards and the two should be unified.)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.db.models import Sum

PENNY = Decimal("0.01")
ESTIMATE_TOLERANCE = Decimal("0.25")

# What the buyer is asked for, for each pricing model: (label of the units, whether a term in
# months multiplies them).
PRICING_QUESTIONS = {
    "per_user_month": ("How many users?", True),
    "per_licence": ("How many licences?", False),
    "per_day": ("How many days?", False),
    "per_unit": ("How many units?", False),
    "fixed": ("", False),
}


def pricing_quantity(pricing_model: str, units: Decimal | None, months: int | None) -> Decimal:
    """The quantity the unit price is multiplied by: users x months for a per-user-per-month
    price, the number of licences, days or units otherwise, and 1 for a one-off fixed price."""
    if pricing_model == "fixed":
        return Decimal("1")
    if units is None:
        raise ValueError("units are needed for this pricing model")
    units = Decimal(units)
    if PRICING_QUESTIONS.get(pricing_model, ("", False))[1]:
        if not months:
            raise ValueError("a term in months is needed for a monthly price")
        return units * months
    return units


def value_of(unit_price: Decimal, quantity: Decimal) -> Decimal:
    return (Decimal(unit_price) * Decimal(quantity)).quantize(PENNY, rounding=ROUND_HALF_UP)


def requirement_estimate(requirement, months: int | None) -> tuple[Decimal | None, str]:
    """The requirement's estimate to compare the award with: its budget (the top of the range,
    or the bottom when only that is given), and what it is, in words."""
    if requirement is None:
        return None, ""
    budget = requirement.budget_max or requirement.budget_min
    if budget:
        return Decimal(budget), "the requirement's budget"
    return None, ""


def estimate_warning(value: Decimal, estimate: Decimal | None, what: str) -> str:
    """A warning when the value is more than 25% away from the estimate (empty otherwise)."""
    if not estimate or estimate <= 0:
        return ""
    difference = (Decimal(value) - estimate) / estimate
    if abs(difference) <= ESTIMATE_TOLERANCE:
        return ""
    direction = "more" if difference > 0 else "less"
    return (
        f"£{value:,.2f} is {abs(difference) * 100:.0f}% {direction} than {what} of "
        f"£{estimate:,.2f}. Check the number of users or units and the term."
    )


MIN_COMPARABLE_CONTRACTS = 3


def lot_median_unit_price(contracts, lot_id: int, pricing_model: str) -> Decimal | None:
    """The median awarded unit price of comparable contracts (same lot and pricing model), when
    there are at least 3 of them (a median of one or two prices says little)."""
    prices = list(
        contracts.filter(offer__lot_id=lot_id, revision__pricing_model=pricing_model).values_list(
            "unit_price", flat=True
        )
    )
    if len(prices) < MIN_COMPARABLE_CONTRACTS:
        return None
    return Decimal(median(prices)).quantize(PENNY, rounding=ROUND_HALF_UP)


def awarded_through(contracts, framework_id: int) -> Decimal:
    """The value awarded through a framework so far, as the contracts now stand (accepted
    variations included)."""
    total = contracts.filter(offer__lot__framework_id=framework_id).aggregate(v=Sum("value"))["v"]
    return total or Decimal("0")


def headroom(framework, contracts) -> dict:
    """A framework's maximum value, what has been awarded through it and what is left."""
    awarded = awarded_through(contracts, framework.pk)
    maximum = framework.max_value
    return {
        "maximum": maximum,
        "awarded": awarded,
        "left": (maximum - awarded) if maximum is not None else None,
    }
