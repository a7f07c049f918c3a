"""The comparison helps choose: the rows that differ are marked, and the estimated total cost
for a quantity and term typed on the page (no JavaScript: a GET form) is the same figure the
award form gives for that quantity and term."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buying.services.awards import direct_award_create
from catalogue.pricing import award_quantity, term_estimate
from tests.plain_words import assert_plain_words
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_estimate_cost_for_each_pricing_model():
    def total(model, minimum=None):
        estimate = term_estimate(
            price=Decimal("2.50"),
            pricing_model=model,
            quantity=10,
            months=6,
            minimum_term_months=minimum,
        )
        return estimate.total

    assert total("per_user_month") == Decimal("150.00")  # 10 users x 6 months
    assert total("per_user_month", minimum=12) == Decimal("300.00")  # its minimum term
    assert total("per_licence") == Decimal("25.00")
    assert total("per_day") == Decimal("25.00")
    assert total("fixed") == Decimal("2.50")
    assert term_estimate(price=None, pricing_model="fixed", quantity=1, months=1) is None
    assert award_quantity("per_user_month", quantity=450, months=24) == 10800


def compare(browser, query: str = "") -> str:
    response = browser.get(f"/catalogue/compare/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert_plain_words(html, "/catalogue/compare/")
    return html


def test_comparison_marks_differences_and_estimates_the_cost(world):
    browser = sign_in(Client(), world, "buyer_a_member")
    for offer in (world.offer, world.offers["b_published"]):
        browser.post("/catalogue/compare/add/", {"offer": offer.pk})
    html = compare(browser)
    assert "Features" in html and "Service levels" in html and "Differs" in html
    assert "Estimated total cost" not in html
    html = compare(browser, "?quantity=450&months=24")
    assert "Estimated total cost for 450 over 24 months" in html
    problem = compare(browser, "?quantity=lots&months=24")
    assert "Enter a quantity" in problem and "Estimated total cost" not in problem


def test_the_estimate_equals_the_award_forms_value(world):
    revision = world.offer.published_revision
    quantity, months = 450, 24
    estimate = term_estimate(
        price=revision.price,
        pricing_model=revision.pricing_model,
        quantity=quantity,
        months=months,
        minimum_term_months=revision.minimum_term_months,
    )
    browser = sign_in(Client(), world, "buyer_a_member")
    browser.post("/catalogue/compare/add/", {"offer": world.offer.pk})
    assert f"£{estimate.total:,.0f}" in compare(browser, f"?quantity={quantity}&months={months}")
    # The award form, opened with the same quantity and term, offers the same award quantity...
    page = browser.get(
        f"/buying/offers/{world.offer.pk}/award/?quantity={quantity}&months={months}"
    )
    assert page.status_code == 200
    assert page.context["form"].initial["quantity"] == f"{estimate.award_quantity:f}"
    # ...and awarding at the national price gives a contract of exactly the estimated value.
    today = timezone.localdate()
    contract = direct_award_create(
        actor=world.users["buyer_a_admin"],
        offer=world.offer,
        justification="Best fit at the lowest price.",
        quantity=page.context["form"].initial["quantity"],
        unit_price=str(revision.price),
        start_date=today.replace(year=today.year + 1),
        end_date=today.replace(year=today.year + 3),
        kpis="99.9% availability",
    )
    assert contract.value == estimate.total
