"""The route step recommends a route from the buyer's answers, with the reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from buying.models import Requirement
from buying.services.route_advice import (
    DIRECT_AWARD,
    FURTHER_COMPETITION,
    route_recommend,
)
from tests.accounts.factories import BuyerOrganisationFactory
from tests.auth import Client
from tests.catalogue.factories import LotFactory

from .award_helpers import buyer_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("valid_html")]


def requirement(**fields):
    values = {"organisation": BuyerOrganisationFactory(), "title": "Case management"}
    values.update(fields)
    return Requirement.objects.create(**values)


def test_a_lot_without_direct_award_needs_a_competition():
    lot = LotFactory(name="Bespoke build", direct_award_allowed=False)
    advice = route_recommend(requirement(lot=lot, budget_max=Decimal("5000")))
    assert advice.route == FURTHER_COMPETITION
    assert advice.reason.startswith(f"{lot} does not allow direct award")
    assert "Bespoke build" in advice.reason


@pytest.mark.parametrize(
    ("budget", "route"),
    [("99999.99", DIRECT_AWARD), ("100000", FURTHER_COMPETITION), ("250000", FURTHER_COMPETITION)],
)
def test_the_value_decides_at_the_limit(budget, route):
    lot = LotFactory(name="Cloud software", direct_award_allowed=True)
    advice = route_recommend(requirement(lot=lot, budget_max=Decimal(budget)))
    assert advice.route == route
    assert "£100,000" in advice.reason


def test_a_specific_need_needs_a_competition():
    lot = LotFactory(direct_award_allowed=True)
    many = [f"Need {n}" for n in range(5)]
    advice = route_recommend(requirement(lot=lot, budget_max=Decimal("1000"), must_haves=many))
    assert advice.route == FURTHER_COMPETITION
    assert "5 must-haves" in advice.reason
    few = many[:4]
    assert route_recommend(requirement(lot=lot, must_haves=few)).route == DIRECT_AWARD


def test_the_requirement_page_shows_the_recommendation_and_links_the_guidance():
    buyer = buyer_user()
    lot = LotFactory(name="Cloud software", direct_award_allowed=True)
    need = requirement(organisation=buyer.organisation, lot=lot, budget_max=Decimal("20000"))
    client = Client()
    client.force_login(buyer)
    page = client.get(reverse("buying:requirement_detail", args=[need.pk])).content.decode()
    assert "Recommended route: Direct award" in page
    assert "Your budget of up to £20,000 is below the £100,000 direct award limit" in page
    assert "/guidance/choosing-a-route/#when-you-can-award-directly" in page
