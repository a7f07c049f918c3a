"""The header: role links, the notifications link with its count, and a "Your account" menu
holding the account, organisation, email settings and sign out. The home page's search box."""

import pytest

from ndx.context_processors import navigation
from ndx.notifications.services import notification_send

from .accounts.factories import StaffFactory, SupplierOrganisationFactory, member

pytestmark = pytest.mark.django_db


def nav(rf, user=None, path="/"):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get(path)
    request.user = user or AnonymousUser()
    return navigation(request)["service_navigation"]


def texts(navigation) -> list[str]:
    return [item["text"] for item in navigation["navigation"]]


def test_anonymous_visitors_get_home_and_sign_in(rf):
    result = nav(rf)
    assert texts(result) == ["Home", "Find deals", "Sign in", "Create an account"]
    assert "slots" not in result


def test_a_buyer_gets_the_buying_links_and_the_account_menu(rf):
    result = nav(rf, member())
    assert texts(result) == [
        "Find deals", "Requirements", "Saved searches", "Contracts", "Reviews", "Notifications",
    ]  # fmt: skip
    menu = result["slots"]["navigationEnd"]
    assert "<details" in menu and "Your account" in menu
    for href in ['href="/account/"', 'href="/account/organisation/"']:
        assert href in menu
    assert 'href="/notifications/settings/"' in menu and 'href="/accounts/logout/"' in menu


def test_a_supplier_and_staff(rf):
    supplier = member(SupplierOrganisationFactory())
    assert texts(nav(rf, supplier)) == [
        "Find deals",
        "Supplier dashboard",
        "Reviews",
        "Notifications",
    ]
    staff = StaffFactory()
    result = nav(rf, staff)
    assert texts(result) == ["Find deals", "Staff", "Notifications"]
    # Staff belong to no organisation: no organisation link in their menu.
    assert "/account/organisation/" not in result["slots"]["navigationEnd"]


def test_the_current_page_is_marked(rf):
    buyer = member()
    result = nav(rf, buyer, "/buying/requirements/12/")
    assert [i["text"] for i in result["navigation"] if i["active"]] == ["Requirements"]
    assert (
        "govuk-service-navigation__item--active"
        in nav(rf, buyer, "/account/")["slots"]["navigationEnd"]
    )


def test_the_unread_count_is_read_out_with_the_link(rf):
    buyer = member()
    notification_send(recipient=buyer, kind="k.k", title="T", key="one")
    notification_send(recipient=buyer, kind="k.k", title="T", key="two")
    item = nav(rf, buyer)["navigation"][-1]
    assert item["text"] == "Notifications (2 unread)"
    assert '<span class="govuk-visually-hidden"> (2 unread)</span>' in item["html"]
    assert 'aria-hidden="true">2</span>' in item["html"]


def test_the_home_page_has_a_search_box_for_the_catalogue(client):
    html = client.get("/").content.decode()
    assert '<form method="get" action="/catalogue/" role="search"' in html
    assert 'id="home-search" name="q" type="search"' in html
    assert '<label class="govuk-label govuk-label--m" for="home-search">' in html
