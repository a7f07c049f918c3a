"""Fuzzing the catalogue search with hypothesis: any query string or filter values give a
normal page (never a 500) and never echo markup unescaped."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.search_index import revision_search_index
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db

MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><b>x</b>',
        "'; DROP TABLE x; --",
    ]
)
TEXT = st.one_of(st.text(max_size=300), MARKUP, st.text(alphabet="<>&\"'%;:*|!()", max_size=50))
PARAM = st.sampled_from(
    [
        "q",
        "page",
        "size",
        "sort",
        "framework",
        "lot",
        "category",
        "cpv",
        "pricing",
        "price_min",
        "price_max",
        "sme",
        "vcse",
        "rating",
        "cert",
        "hosting",
        "unknown",
    ]
)


@pytest.fixture
def catalogue():
    lot = LotFactory(categories=["Case management"])
    supplier = approved_supplier(lot)
    for title in ("Case management", "Payroll <b>bold</b>", "Cyber security"):
        offer = make_offer(
            supplier, lot, title=title, price=Decimal("10"), list_price=Decimal("12")
        )
        revision_search_index(revision_ids=[offer.published_revision_id])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=st.lists(st.tuples(PARAM, TEXT), max_size=6))
def test_search_page_survives_any_parameters(client, catalogue, params):
    query = params
    response = client.get("/catalogue/", query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x onerror" not in body
    assert "<b>bold</b>" not in body
