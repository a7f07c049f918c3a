"""Sessions (issue 20): idle sessions end (staff after 30 minutes, others after 8 hours), people
see their own sessions and can sign out of all the others (allauth's usersessions)."""

from __future__ import annotations

import time

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session

from ndx.accounts.sessions import LAST_SEEN_KEY
from tests.accounts.factories import PASSWORD, StaffFactory, member
from tests.auth import Client

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


@pytest.mark.parametrize(
    "staff,idle_minutes,signed_out",
    [
        (True, 29, False),
        (True, 31, True),
        (False, 31, False),
        (False, 7 * 60 + 50, False),
        (False, 8 * 60 + 10, True),
    ],
)
def test_idle_sessions_end(staff, idle_minutes, signed_out):
    user = StaffFactory() if staff else member()
    client = _browser(user)
    assert client.get("/account/").status_code == 200  # starts the idle clock
    _idle_for(client, idle_minutes * 60)
    response = client.get("/account/")
    if signed_out:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"]).content.decode()
        assert "because you had not used the service for" in page
        assert client.get("/account/").status_code == 302  # still signed out
    else:
        assert response.status_code == 200


def test_idle_limits_come_from_settings(settings):
    settings.NDX_IDLE_TIMEOUT_SECONDS = 60
    client = _browser(member())
    client.get("/account/")
    _idle_for(client, 61)
    assert client.get("/account/").status_code == 302


def test_use_keeps_the_session_alive():
    client = _browser(StaffFactory())
    client.get("/account/")
    _idle_for(client, 20 * 60)
    assert client.get("/account/").status_code == 200
    # That request counted as use: the clock restarted.
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def _signed_in_through_the_form(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_people_list_their_sessions_and_sign_out_of_the_others():
    user = member(email="alex@leeds.gov.uk")
    laptop, phone, tablet = (_signed_in_through_the_form(user.email) for _ in range(3))
    assert UserSession.objects.filter(user=user).count() == 3
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    assert page.content.decode().count("Sign out") >= 1

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert tablet.get("/account/").status_code == 302
    assert [s.session_key for s in UserSession.objects.filter(user=user)] == [
        laptop.session.session_key
    ]
    assert Session.objects.filter(session_key=laptop.session.session_key).exists()


def test_dashboard_links_to_sessions_data_and_closing():
    page = _browser(member()).get("/account/").content.decode()
    for href in ("/accounts/sessions/", "/account/your-data/", "/account/close/"):
        assert f'href="{href}"' in page
