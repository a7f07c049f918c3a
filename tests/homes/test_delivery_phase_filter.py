"""Delivery phase is its own filter: phases (Discovery, Alpha, Beta, Live) are not mixed into
Category, and the in-memory facets agree with the database filters for it."""

import pytest

from catalogue.filters import OfferFilter
from catalogue.models import Offer
from catalogue.search import search_offers
from tests.catalogue.factories import LotFactory
from tests.catalogue.test_search import ids, publish, q
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers():
    lot = LotFactory()
    supplier = approved_supplier(lot)
    return {
        "alpha": publish(supplier, lot, title="Alpha team", categories=["Alpha", "User research"]),
        "live": publish(supplier, lot, title="Live support", categories=["Live", "Support"]),
        "plain": publish(supplier, lot, title="Hosting", categories=["Hosting"]),
    }


def facet(outcome, name):
    return {o.value: o.count for o in next(f for f in outcome.facets if f.name == name).options}


def test_phases_have_their_own_facet(offers):
    outcome = search_offers(q())
    assert facet(outcome, "phase") == {"Alpha": 1, "Live": 1}
    categories = facet(outcome, "category")
    assert "Alpha" not in categories and "Live" not in categories
    assert {"User research", "Support", "Hosting"} <= set(categories)


@pytest.mark.parametrize(
    "params",
    [{"phase": "Alpha"}, {"phase": ["Alpha", "Live"]}, {"phase": "Live", "category": "Support"}],
)
def test_the_phase_filter_agrees_with_the_database(offers, params):
    data = q(**params)
    found = set(ids(search_offers(data)))
    expected = set(
        OfferFilter(data, queryset=Offer.objects.buyable()).qs.values_list("pk", flat=True)
    )
    assert found == expected and found
