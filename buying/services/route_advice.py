"""Which route to market a requirement points to, and why: the playbook's "choosing a route"
rules applied to the buyer's own answers (value, lot, how specific the need is).

The buyer decides; this only recommends, with the reason in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalogue.models import Lot

from ..models import Requirement

# The playbook's suggested ceiling for a direct award (organisations may set a lower one).
DIRECT_AWARD_LIMIT = Decimal("100000")
# From this many must-haves a need is specific enough that suppliers should respond to it.
SPECIFIC_NEED_MUST_HAVES = 5

DIRECT_AWARD = "direct_award"
FURTHER_COMPETITION = "further_competition"


@dataclass(frozen=True)
class RouteAdvice:
    route: str
    reason: str
    anchor: str  # the section of guidance/choosing-a-route that explains it

    @property
    def is_direct_award(self) -> bool:
        return self.route == DIRECT_AWARD

    @property
    def route_name(self) -> str:
        return "Direct award" if self.is_direct_award else "Further competition"


def _pounds(value: Decimal) -> str:
    return f"£{value:,.0f}"


def route_recommend(requirement: Requirement, *, lot: Lot | None = None) -> RouteAdvice:
    """Recommend a route from the requirement's answers (and the lot of the shortlist, if one)."""
    lot = lot or requirement.lot
    value = requirement.budget_max or requirement.budget_min
    must_haves = len(requirement.must_haves or [])
    competition = "when-you-must-run-a-further-competition"
    if lot is not None and not lot.direct_award_allowed:
        return RouteAdvice(
            FURTHER_COMPETITION,
            f"{lot} does not allow direct award, so invite at least 3 of its suppliers to a "
            "further competition.",
            competition,
        )
    if value is not None and value >= DIRECT_AWARD_LIMIT:
        return RouteAdvice(
            FURTHER_COMPETITION,
            f"Your budget of up to {_pounds(value)} is at or above the "
            f"{_pounds(DIRECT_AWARD_LIMIT)} direct award limit, so competition is the way to "
            "show value for money.",
            competition,
        )
    if must_haves >= SPECIFIC_NEED_MUST_HAVES:
        return RouteAdvice(
            FURTHER_COMPETITION,
            f"With {must_haves} must-haves your need is specific: ask suppliers to respond to it "
            "rather than take an offer as it stands.",
            competition,
        )
    where = f"{lot} allows direct award" if lot is not None else "your lot allows direct award"
    if value is None:
        size = "You have not given a budget: if it is below "
        size += f"{_pounds(DIRECT_AWARD_LIMIT)}, "
        return RouteAdvice(
            DIRECT_AWARD,
            f"{size}{where} and a catalogue offer can meet a need this general as it stands.",
            "when-you-can-award-directly",
        )
    return RouteAdvice(
        DIRECT_AWARD,
        f"Your budget of up to {_pounds(value)} is below the {_pounds(DIRECT_AWARD_LIMIT)} "
        f"direct award limit, {where} and a catalogue offer can meet a need this general as it "
        "stands.",
        "when-you-can-award-directly",
    )
