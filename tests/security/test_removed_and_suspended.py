"""Removed and suspended people get what strangers get, on every URL of the permission matrix.

Buyer A's member is removed from buyer A (by its admin) or suspended (by staff) while their
browser is signed in. Their open session must then get exactly what an anonymous visitor gets
(it was ended); a removed person who signs in again gets exactly what a signed-in stranger
with no organisation gets; a suspended person cannot be signed in at all."""

from __future__ import annotations

import pytest

from ndx.accounts import leaving
from tests.accounts.factories import UserFactory
from tests.auth import Client

from .conftest import sign_in
from .test_permission_matrix import ROWS, _check

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _same_as_anonymous(browser, world):
    for entry in ROWS:
        url = entry.url(world)
        _check(_get(browser, url), entry.expected["anonymous"], "old session", f"GET {url}")


def test_a_removed_member_gets_what_strangers_get_everywhere(client, world):
    person = world.users["buyer_a_member"]
    browser = sign_in(client, world, "buyer_a_member")
    assert browser.get("/account/organisation/").status_code == 200
    leaving.member_remove(actor=world.users["buyer_a_admin"], membership=person.membership)

    _same_as_anonymous(browser, world)

    again, stranger = Client(), Client()
    again.force_login(person)
    stranger.force_login(UserFactory(email="stranger@nowhere.example"))
    for entry in ROWS:
        url = entry.url(world)
        expected = _get(stranger, url).status_code
        got = _get(again, url).status_code
        assert got == expected, f"GET {url}: removed member got {got}, a stranger {expected}"
        if entry.expected["buyer_a_member"] == 200 and entry.expected["buyer_b_member"] != 200:
            # A private page of buyer A's: nothing of the organisation is shown to them.
            assert got in (403, 404), f"GET {url}: removed member got {got}"


def test_a_suspended_person_gets_what_anonymous_visitors_get_everywhere(client, world):
    person = world.users["buyer_a_member"]
    browser = sign_in(client, world, "buyer_a_member")
    assert browser.get("/account/organisation/").status_code == 200
    leaving.account_suspend(actor=world.users["staff"], user=person, reason="Investigation")

    _same_as_anonymous(browser, world)
    fresh = Client()
    fresh.force_login(person)  # an inactive account's session is not accepted
    _same_as_anonymous(fresh, world)
