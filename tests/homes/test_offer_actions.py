"""The offer page has the actions a buyer needs: compare, shortlist, award directly where the
lot allows it, or sign in to buy."""

import pytest
from django.test import Client

from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def offer_page(world, role: str, offer) -> str:
    response = sign_in(Client(), world, role).get(f"/catalogue/offers/{offer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_signed_out_visitors_are_asked_to_sign_in_to_buy(world):
    html = offer_page(world, "anonymous", world.offer)
    assert "Sign in to buy" in html
    assert f"/accounts/login/?next=/catalogue/offers/{world.offer.pk}/" in html
    assert "Add to comparison" in html and "Add to shortlist" not in html


def test_a_buyer_can_compare_shortlist_and_award_directly(world, client):
    html = offer_page(world, "buyer_a_member", world.offer)
    assert "Add to comparison" in html
    assert "Add to shortlist “Open shortlist”" in html
    assert f"/buying/shortlists/{world.shortlist.pk}/add/" in html
    assert "Award a contract directly" in html and "Sign in to buy" not in html
    # A lot that needs a further competition: no direct award.
    assert "Award a contract directly" not in offer_page(
        world, "buyer_a_member", world.offers["a_comp"]
    )
    # Another organisation with no open shortlist is offered to start one.
    assert "Start a shortlist" in offer_page(world, "buyer_b_member", world.offer)


def test_adding_from_the_offer_page_puts_it_in_the_comparison(world):
    browser = sign_in(Client(), world, "buyer_a_member")
    response = browser.post(
        "/catalogue/compare/add/",
        {"offer": world.offer.pk, "next": f"/catalogue/offers/{world.offer.pk}/"},
    )
    assert response.status_code == 302
    html = browser.get(f"/catalogue/offers/{world.offer.pk}/").content.decode()
    assert "This offer is in" in html and "Add to comparison" not in html


def test_suppliers_see_no_buying_actions(world):
    html = offer_page(world, "supplier_b_admin", world.offer)
    assert "Add to shortlist" not in html and "Award a contract directly" not in html
    assert "Sign in to buy" not in html
