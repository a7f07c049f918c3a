"""What others paid: spreads of awarded unit prices, hidden below 5 contracts (or 3 buyers)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.prices import lot_category_price_spreads, offer_price_spread, spread_of
from tests.accounts.factories import BuyerOrganisationFactory
from tests.reviews.factories import ContractFactory, buyable_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


def _contracts(offer, prices, buyers=None):
    buyers = buyers or [BuyerOrganisationFactory() for _ in prices]
    for buyer, price in zip(buyers, prices, strict=True):
        ContractFactory(
            offer=offer,
            organisation=buyer,
            unit_price=Decimal(price),
            national_price=Decimal("100.00"),
            list_price=Decimal("120.00"),
        )


def test_a_spread_of_4_contracts_is_hidden(client):
    offer = buyable_offer(price=Decimal("100.00"), list_price=Decimal("120.00"))
    _contracts(offer, ["10.00", "20.00", "30.00", "40.00"])
    spread = offer_price_spread(offer)
    assert spread.count == 4
    assert not spread.shown
    assert spread.minimum is None and spread.median is None and spread.maximum is None
    assert "at least 5 contracts" in spread.sentence
    page = client.get(reverse("catalogue:offer_detail", args=[offer.pk])).content.decode()
    assert "at least 5 contracts" in page
    assert "£10.00" not in page and "£40.00" not in page


def test_a_spread_of_5_contracts_is_shown(client):
    offer = buyable_offer(price=Decimal("100.00"), list_price=Decimal("120.00"))
    _contracts(offer, ["10.00", "20.00", "30.00", "40.00", "90.00"])
    spread = offer_price_spread(offer)
    assert spread.shown
    assert (spread.minimum, spread.lower_quartile, spread.median) == (
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("30.00"),
    )
    assert (spread.upper_quartile, spread.maximum) == (Decimal("40.00"), Decimal("90.00"))
    assert spread.sentence == (
        "5 buyers paid between £10.00 and £90.00 on 5 contracts; the median was £30.00."
    )
    page = client.get(reverse("catalogue:offer_detail", args=[offer.pk])).content.decode()
    assert spread.sentence in page


def test_five_contracts_from_two_buyers_are_hidden():
    offer = buyable_offer(price=Decimal("100.00"), list_price=Decimal("120.00"))
    one, two = BuyerOrganisationFactory(), BuyerOrganisationFactory()
    _contracts(offer, ["10", "11", "12", "13", "14"], [one, one, one, two, two])
    assert not offer_price_spread(offer).shown


def test_quartiles_interpolate_and_round_to_the_penny():
    spread = spread_of([(n, Decimal(p)) for n, p in enumerate(["1", "2", "3", "4", "5", "6"])])
    assert spread.lower_quartile == Decimal("2.25")
    assert spread.median == Decimal("3.50")
    assert spread.upper_quartile == Decimal("4.75")


def test_no_contracts_says_so():
    assert "No buyer has bought this" in spread_of([]).sentence


def test_spreads_by_category_on_a_lot():
    offer = buyable_offer(
        price=Decimal("100.00"), list_price=Decimal("120.00"), categories=["Case management"]
    )
    _contracts(offer, ["10", "20", "30", "40", "50"])
    other = buyable_offer(
        lot=offer.lot,
        price=Decimal("100.00"),
        list_price=Decimal("120.00"),
        categories=["Case management"],
    )
    _contracts(other, ["60"])
    [(category, unit, spread)] = lot_category_price_spreads(offer.lot)
    assert category == "Case management"
    assert spread.count == 6 and spread.maximum == Decimal("60")
