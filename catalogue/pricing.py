"""What an offer would cost a buyer: one sum from the offer's pricing model, used everywhere.

`estimate_cost(pricing_model=..., price=..., quantity=..., months=...)` turns a unit price into
an `Estimate` for the buyer's quantity (users, licences, units) and term, labelled "a year" or
"one-off" (or no estimate when the pricing model cannot be summed without more facts, such as
day rates without a number of days). ORM-free: the matcher, the award form and comparisons can
all use it, so they agree.

- per user per month: price x users x 12, "a year" (x months for the whole term when asked);
- per licence, per unit: price x quantity, "one-off";
- fixed price: the price, "one-off";
- per day: no estimate (the number of days is not known).

The comparison and the award form work on the whole contract term:
`term_estimate(price=..., pricing_model=..., quantity=..., months=..., minimum_term_months=...)`
gives the total and the award quantity the award form takes (`award_quantity`: users x months
for a per-user-month price, one for a fixed price, otherwise the quantity), so the contract's
value equals the comparison's estimate for the same quantity and term; a per-user-month price is
charged for at least the offer's minimum term. `estimate_for_revision(revision, ...)` does the
same from an offer revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")

PER_USER_MONTH = "per_user_month"
PER_LICENCE = "per_licence"
PER_UNIT = "per_unit"
PER_DAY = "per_day"
FIXED = "fixed"

YEARLY = "a year"
ONE_OFF = "one-off"
TERM = "over the term"


@dataclass(frozen=True)
class Estimate:
    """A sum for the buyer's need, with how it recurs ("a year", "one-off", "over the term")."""

    amount: Decimal
    basis: str
    quantity: int
    months: int | None = None

    @property
    def is_yearly(self) -> bool:
        return self.basis == YEARLY

    def label(self) -> str:
        """ "£34,750.00 one-off", "£180,000.00 a year", "£360,000.00 over 24 months"."""
        if self.basis == TERM and self.months:
            return f"£{self.amount:,.2f} over {self.months} months"
        return f"£{self.amount:,.2f} {self.basis}"

    def over_budget_by(self, budget: Decimal | None) -> Decimal | None:
        """How much the estimate exceeds the budget (None when within it or no budget)."""
        if budget is None or self.amount <= budget:
            return None
        return (self.amount - budget).quantize(PENNY)


def _money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def estimate_cost(
    *,
    pricing_model: str,
    price: Decimal | int | str | None,
    quantity: int | None = None,
    months: int | None = None,
) -> Estimate | None:
    """The cost of `quantity` (at least 1) for `months` (None: a year for recurring prices)."""
    if price is None or price == "":
        return None
    unit = Decimal(str(price))
    count = max(int(quantity or 1), 1)
    if pricing_model == PER_USER_MONTH:
        if months:
            return Estimate(_money(unit * count * months), TERM, count, months)
        return Estimate(_money(unit * count * 12), YEARLY, count)
    if pricing_model in (PER_LICENCE, PER_UNIT):
        return Estimate(_money(unit * count), ONE_OFF, count)
    if pricing_model == FIXED:
        return Estimate(_money(unit), ONE_OFF, 1)
    return None


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
class TermEstimate:
    total: Decimal
    award_quantity: Decimal
    months: int
    minimum_term_applied: bool


def term_estimate(
    *,
    price: Decimal | None,
    pricing_model: str,
    quantity: int | Decimal,
    months: int,
    minimum_term_months: int | None = None,
) -> TermEstimate | None:
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
    return TermEstimate(
        total=total, award_quantity=units, months=charged, minimum_term_applied=applied
    )


def estimate_for_revision(revision, *, quantity: int, months: int) -> TermEstimate | None:
    return term_estimate(
        price=revision.price,
        pricing_model=revision.pricing_model,
        quantity=quantity,
        months=months,
        minimum_term_months=revision.minimum_term_months,
    )
