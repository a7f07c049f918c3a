"""Volume price tiers pick the right price at each boundary, and are shown."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.volume_pricing import revision_tiers_set, revision_unit_price, unit_price_for
from tests.reviews.factories import buyable_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]

TIERS = [(1000, Decimal("9.50")), (5000, Decimal("8.00"))]


@pytest.mark.parametrize(
    ("quantity", "price"),
    [
        (1, "10.00"),
        (999, "10.00"),
        (1000, "9.50"),
        (1001, "9.50"),
        (4999, "9.50"),
        (5000, "8.00"),
        (100000, "8.00"),
        (Decimal("999.99"), "10.00"),
    ],
)
def test_tiers_pick_the_price_at_each_boundary(quantity, price):
    assert unit_price_for(Decimal("10.00"), TIERS, quantity) == Decimal(price)
    # The order tiers are given in does not matter.
    assert unit_price_for(Decimal("10.00"), list(reversed(TIERS)), quantity) == Decimal(price)


def test_stored_tiers_and_the_offer_page_and_search(client):
    offer = buyable_offer(price=Decimal("10.00"), list_price=Decimal("12.00"))
    revision = offer.published_revision
    revision_tiers_set(actor=None, revision=revision, tiers=TIERS, published_ok=True)
    assert revision_unit_price(revision, 999) == Decimal("10.00")
    assert revision_unit_price(revision, 5000) == Decimal("8.00")
    page = client.get(reverse("catalogue:offer_detail", args=[offer.pk])).content.decode()
    assert "1 to 999" in page and "1,000 to 4,999" in page and "5,000 or more" in page
    search = client.get(reverse("catalogue:search")).content.decode()
    assert "Lower prices from 1,000" in search


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([(1000, Decimal("10.00"))], "must be lower than the price below it"),
        ([(1000, Decimal("9.00")), (2000, Decimal("9.50"))], "must be lower"),
        ([(1, Decimal("9.00"))], "2 or more"),
        ([(1000, Decimal("9")), (1000, Decimal("8"))], "different quantity"),
    ],
)
def test_tiers_that_do_not_go_down_are_refused(tiers, message):
    revision = buyable_offer(price=Decimal("10.00"), list_price=Decimal("12.00")).published_revision
    with pytest.raises(ValidationError, match=message):
        revision_tiers_set(actor=None, revision=revision, tiers=tiers, published_ok=True)
    assert not revision.tiers.exists()


def test_a_published_revision_keeps_its_tiers():
    revision = buyable_offer(price=Decimal("10.00"), list_price=Decimal("12.00")).published_revision
    with pytest.raises(ValidationError, match="only be changed on a draft"):
        revision_tiers_set(actor=None, revision=revision, tiers=TIERS)
