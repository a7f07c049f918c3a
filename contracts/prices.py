"""What others paid: the spread of real awarded unit prices, for an offer and for each category
of a lot, shown beside the national and list prices.

A spread is only shown from MIN_CONTRACTS contracts and MIN_BUYERS buyer organisations, so no
single buyer's price can be read off it; below that the pages say so in a plain sentence."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from catalogue.models import PricingModel

from .models import Contract

MIN_CONTRACTS = 5
MIN_BUYERS = 3
PENNY = Decimal("0.01")


def _pounds(value: Decimal) -> str:
    return f"£{value:,.2f}"


@dataclass(frozen=True)
class PriceSpread:
    count: int
    buyers: int
    minimum: Decimal | None = None
    lower_quartile: Decimal | None = None
    median: Decimal | None = None
    upper_quartile: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def shown(self) -> bool:
        return self.count >= MIN_CONTRACTS and self.buyers >= MIN_BUYERS

    @property
    def sentence(self) -> str:
        if not self.shown:
            if self.count == 0:
                return "No buyer has bought this through NDX yet, so no price paid is shown."
            return (
                f"Prices paid are shown once at least {MIN_CONTRACTS} contracts from "
                f"{MIN_BUYERS} or more buyers have been awarded, so that no single buyer's price "
                "can be read off."
            )
        return (
            f"{self.buyers} buyers paid between {_pounds(self.minimum)} and "
            f"{_pounds(self.maximum)} on {self.count} contracts; the median was "
            f"{_pounds(self.median)}."
        )


def spread_of(prices_by_buyer: Iterable[tuple[int, Decimal]]) -> PriceSpread:
    """The spread of (buyer organisation id, unit price) pairs, one per contract. Quartiles
    interpolate between awarded prices (the inclusive method), rounded to the penny."""
    rows = list(prices_by_buyer)
    prices = sorted(Decimal(price) for _, price in rows)
    buyers = len({buyer for buyer, _ in rows})
    spread = PriceSpread(count=len(prices), buyers=buyers)
    if not spread.shown:
        return spread  # the figures are never computed, so they cannot leak into a page
    lower, median, upper = statistics.quantiles(prices, n=4, method="inclusive")
    return PriceSpread(
        count=len(prices),
        buyers=buyers,
        minimum=prices[0],
        lower_quartile=Decimal(lower).quantize(PENNY, ROUND_HALF_UP),
        median=Decimal(median).quantize(PENNY, ROUND_HALF_UP),
        upper_quartile=Decimal(upper).quantize(PENNY, ROUND_HALF_UP),
        maximum=prices[-1],
    )


def offer_price_spread(offer) -> PriceSpread:
    """Awarded unit prices of every contract bought through this offer (any version)."""
    rows = Contract.objects.filter(offer=offer).values_list("organisation_id", "unit_price")
    return spread_of(rows)


def offers_price_spreads(offers) -> dict[int, PriceSpread]:
    """offer id -> spread, in one query (the comparison view)."""
    by_offer: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = Contract.objects.filter(offer__in=list(offers)).values_list(
        "offer_id", "organisation_id", "unit_price"
    )
    for offer_id, buyer, price in rows:
        by_offer[offer_id].append((buyer, price))
    return {offer.pk: spread_of(by_offer.get(offer.pk, [])) for offer in offers}


def lot_category_price_spreads(lot) -> list[tuple[str, str, PriceSpread]]:
    """(category, pricing unit, spread) for each category on the lot with contracts. Prices are
    only compared within one pricing unit (per user per month is not per licence)."""
    groups: dict[tuple[str, str], list[tuple[int, Decimal]]] = defaultdict(list)
    rows = Contract.objects.filter(offer__lot=lot).values_list(
        "organisation_id", "unit_price", "revision__categories", "revision__pricing_model"
    )
    labels = dict(PricingModel.choices)
    for buyer, price, categories, pricing_model in rows:
        for category in categories or []:
            groups[(category, labels.get(pricing_model, pricing_model))].append((buyer, price))
    return [(category, unit, spread_of(rows)) for (category, unit), rows in sorted(groups.items())]
