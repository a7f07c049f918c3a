"""The search page's cached fragments: they change as soon as the catalogue changes (approve,
withdraw, suspend an offer; suspend a supplier) and never carry one visitor's state (comparison
buttons, CSRF token, saved-search form) to another."""

import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from catalogue import search_page as fragments
from catalogue.models import FrameworkMembership
from catalogue.search_index import revision_search_index
from catalogue.services import offers as offer_services
from suppliers.services import framework_membership_set_status
from tests.accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from tests.catalogue.factories import LotFactory, make_offer
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    lot = LotFactory()
    supplier = approved_supplier(lot)
    made = {}
    for key, title in [("a", "Widget tracker alpha"), ("b", "Widget tracker beta")]:
        offer = make_offer(supplier, lot, title=title, price=Decimal("10.00"))
        revision_search_index(revision_ids=[offer.published_revision_id])
        made[key] = offer
    return {"lot": lot, "supplier": supplier, **made}


@pytest.fixture
def renders(monkeypatch):
    """How many times the shared part of the page was computed (not taken from the cache)."""
    calls = []
    real = fragments.search_offers

    def counting(data):
        calls.append(data.urlencode())
        return real(data)

    monkeypatch.setattr(fragments, "search_offers", counting)
    return calls


def page(client, **params):
    response = client.get("/catalogue/", params or {"q": "widget"})
    assert response.status_code == 200
    return response.content.decode()


def stable(body: str, client) -> str:
    """The page without what differs on every request by design (CSP nonce, CSRF token)."""
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def csrf_secrets(body: str) -> set[str]:
    """The CSRF secret behind every (masked) token in the page's forms."""
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', body)
    return {_unmask_cipher_token(token) for token in tokens}


def test_repeat_search_is_served_from_the_cache(client, catalogue, renders):
    first = page(client)
    second = page(client)
    assert len(renders) == 1
    assert stable(first, client) == stable(second, client)
    assert "Widget tracker alpha" in second and "Widget tracker beta" in second
    # The same search spelled differently shares the entry; other filters do not.
    page(client, q="  widget ", utm_source="newsletter")
    assert len(renders) == 1
    page(client, q="widget", sort="price")
    assert len(renders) == 2


def test_key_orders_parameters_but_keeps_each_keys_order():
    one = QueryDict("q=widget&sme=yes&cert=iso-27001&cert=dspt")
    two = QueryDict("cert=iso-27001&sme=yes&cert=dspt&q=widget")
    swapped = QueryDict("q=widget&sme=yes&cert=dspt&cert=iso-27001")
    assert fragments.fragment_key(one, "g1") == fragments.fragment_key(two, "g1")
    assert fragments.fragment_key(one, "g1") != fragments.fragment_key(swapped, "g1")
    assert fragments.fragment_key(one, "g1") != fragments.fragment_key(one, "g2")


def test_approving_an_offer_shows_it_at_once(client, catalogue, renders):
    assert "Widget tracker gamma" not in page(client)
    submitted = make_offer(
        catalogue["supplier"], catalogue["lot"], status="submitted", title="Widget tracker gamma"
    )
    offer_services.offer_approve(actor=StaffFactory(), revision=submitted.working_revision)
    body = page(client)
    assert "Widget tracker gamma" in body and "3 offers" in body
    assert len(renders) == 2


def test_withdrawing_an_offer_hides_it_at_once(client, catalogue):
    assert "Widget tracker alpha" in page(client)
    owner = member(catalogue["supplier"], role="admin")
    offer_services.offer_withdraw(actor=owner, offer=catalogue["a"])
    body = page(client)
    assert "Widget tracker alpha" not in body and "Widget tracker beta" in body


def test_suspending_an_offer_hides_it_and_reinstating_shows_it(client, catalogue):
    staff = StaffFactory()
    assert "Widget tracker beta" in page(client)
    offer_services.offer_suspend(actor=staff, offer=catalogue["b"], reason="Checks")
    assert "Widget tracker beta" not in page(client)
    offer_services.offer_reinstate(actor=staff, offer=catalogue["b"])
    assert "Widget tracker beta" in page(client)


def test_suspending_a_supplier_hides_its_offers_and_their_facet_counts(client, catalogue):
    before = page(client, q="widget", pricing="per_user_month")
    assert "per user per month (2)" in before
    membership = FrameworkMembership.objects.get(
        supplier=catalogue["supplier"], framework=catalogue["lot"].framework
    )
    framework_membership_set_status(
        actor=StaffFactory(), membership=membership, status="suspended", reason="Checks"
    )
    after = page(client, q="widget", pricing="per_user_month")
    assert "Widget tracker alpha" not in after and "No offers match your search" in after
    assert "per user per month (2)" not in after


def test_one_visitors_comparison_and_token_never_reach_another(catalogue, renders):
    alice, bob = Client(), Client()
    alice.force_login(member(BuyerOrganisationFactory(), role="admin"))
    alice.post("/catalogue/compare/add/", {"offer": catalogue["a"].pk})
    alice_page = page(alice)
    alice_token = alice.cookies["csrftoken"].value
    assert "In your comparison" in alice_page
    assert "Compare 1 selected offer" in alice_page
    assert "Save this search" in alice_page

    bob_page = page(bob)
    assert len(renders) == 1  # Bob was served Alice's cached fragments...
    # ...but none of her state: both rows offer him the comparison button, and no saved search.
    assert "In your comparison" not in bob_page
    assert "Compare 1 selected offer" not in bob_page
    assert bob_page.count("Add to comparison") == 2
    assert "Save this search" not in bob_page
    assert csrf_secrets(alice_page) == {alice_token}
    assert csrf_secrets(bob_page) == {bob.cookies["csrftoken"].value} != {alice_token}
    assert alice_page.count("Add to comparison") == 1


def test_comparison_button_goes_back_to_this_visitors_own_address(client, catalogue):
    body = page(client, q="widget", utm_source="newsletter")
    assert 'name="next" value="/catalogue/?q=widget&amp;utm_source=newsletter"' in body
    body = page(client, q=" widget")
    assert 'name="next" value="/catalogue/?q=+widget"' in body


def test_turned_off_renders_the_same_page(client, catalogue, renders, settings):
    cached = page(client)
    settings.NDX_SEARCH_FRAGMENT_CACHE = False
    uncached = page(client)
    page(client)
    assert len(renders) == 3
    assert stable(cached, client) == stable(uncached, client)
