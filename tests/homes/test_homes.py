"""The task homes: where signing in lands, and what each role finds waiting there."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contracts.models import Contract
from ndx.working_days import due_date
from tests.plain_words import assert_plain_words
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def page(world, role: str, url: str = "/home/") -> str:
    response = sign_in(Client(), world, role).get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert_plain_words(html, url)
    return html


def test_signing_in_lands_on_the_home(world):
    user = world.users["buyer_a_member"]
    user.set_password("a-long-password-for-tests")
    user.save()
    response = Client().post(
        "/accounts/login/", {"login": user.email, "password": "a-long-password-for-tests"}
    )
    assert response.status_code == 302 and response.url == "/home/"


def test_staff_go_on_to_the_staff_home(world):
    response = sign_in(Client(), world, "staff").get("/home/")
    assert response.status_code == 302 and response.url == "/staff/"


def test_buyer_home_lists_its_own_work(world):
    html = page(world, "buyer_a_member")
    assert "A draft requirement" in html
    assert "Open competition" in html and "responses close" in html
    assert "Closed competition" in html and "score them and award" in html
    assert "Frozen shortlist" in html
    assert "Your organisation&#x27;s figures" in html or "Your organisation's figures" in html
    other = page(world, "buyer_b_member")
    assert "A draft requirement" not in other and "Open competition" not in other


def test_buyer_home_shows_contracts_mobilising_and_ending_soon(world):
    today = timezone.localdate()
    Contract.objects.filter(pk=world.contract.pk).update(
        start_date=today - timedelta(days=300), end_date=today + timedelta(days=30)
    )
    html = page(world, "buyer_a_admin")
    assert f"ends {(today + timedelta(days=30)).strftime('%-d %B %Y')}" in html
    Contract.objects.filter(pk=world.contract.pk).update(
        start_date=today + timedelta(days=10), end_date=today + timedelta(days=400)
    )
    html = page(world, "buyer_a_admin")
    assert "mobilising" in html


def test_supplier_home_shows_invitations_questions_and_decision_dates(world):
    html = page(world, "supplier_a_admin")
    assert "Open competition" in html and "respond by" in html
    # The question asked in the open competition is not answered yet.
    assert "Your questions waiting for an answer" in html
    revision = world.submitted_offer.working_revision
    due = due_date("offers", revision.submitted_at)
    assert "Submitted offer A" in html
    assert f"decision due by {due.strftime('%-d %B %Y')}" in html
    application_due = due_date("applications", world.application.submitted_at)
    assert f"decision due by {application_due.strftime('%-d %B %Y')}" in html
    assert "Submitted offer B" not in html


def test_staff_home_counts_queues_and_flags_items_past_their_service_level(world):
    html = page(world, "staff", "/staff/")
    assert "Offers waiting for review" in html and "Lot applications" in html
    assert "Reviews to moderate" in html
    assert "Past their service level" not in html
    # The framework another person asked to put live waits for this person.
    assert "Awaiting approval: put live" in html
    assert "Django administration" not in html and "Technical administration" not in html
    from suppliers.models import LotApplication

    LotApplication.objects.filter(pk=world.application.pk).update(
        submitted_at=timezone.now() - timedelta(days=60)
    )
    try:
        html = page(world, "staff", "/staff/")
        assert "Past their service level" in html
        assert "1 item is past its service level" in html
        assert html.index("Past their service level") < html.index(
            '<h2 class="govuk-heading-m">Queues'
        )
    finally:
        LotApplication.objects.filter(pk=world.application.pk).update(submitted_at=timezone.now())


def test_superusers_see_technical_administration(world):
    staff = world.users["staff"]
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    try:
        html = page(world, "staff", "/staff/")
        assert "Technical administration" in html and 'href="/admin/"' in html
    finally:
        staff.is_superuser = False
        staff.save(update_fields=["is_superuser"])


def test_buyer_reports_page_shows_own_figures_by_year(world):
    html = page(world, "buyer_a_member", "/reports/organisation/")
    assert "Buyer A Council" in html and "By financial year" in html
    assert "3 contracts" in html  # the world's three contracts for buyer A
    menu = page(world, "buyer_a_member", "/account/")
    assert 'href="/reports/organisation/"' in menu
