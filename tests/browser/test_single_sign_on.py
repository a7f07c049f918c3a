"""Single sign-on through an organisation's OpenID Connect provider, in Chromium, against a
real provider (django-oauth-toolkit with OIDC, in its own process): an address on the
organisation's approved domains signs in and joins it; another address is refused with a
clear page and nothing is created. axe checks every NDX page on the way."""

from __future__ import annotations

import pytest

from ndx.accounts.models import Membership, User
from ndx.accounts.sign_on import organisation_sign_on_configure, provider_id_for
from ndx.audit.models import AuditEntry

from ..accounts.factories import ApprovedDomainFactory, BuyerOrganisationFactory, StaffFactory
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait
from .oidc_provider import start_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def york(live_server, tmp_path):
    organisation = BuyerOrganisationFactory(name="York Council")
    ApprovedDomainFactory(domain="york.gov.uk", organisation=organisation)
    callback = f"{live_server.url}/accounts/oidc/{provider_id_for(organisation)}/login/callback/"
    provider = start_provider(
        tmp_path,
        redirect_uri=callback,
        users=[
            ("alex", "alex@york.gov.uk", "Alex Smith"),
            ("mallory", "mallory@elsewhere.example", "Mallory Jones"),
        ],
    )
    organisation_sign_on_configure(
        actor=StaffFactory(),
        organisation=organisation,
        issuer=provider.issuer,
        client_id=provider.client_id,
        secret=provider.secret,
    )
    yield organisation
    provider.process.terminate()
    provider.process.wait(10)


def _through_the_provider(page, username: str) -> None:
    page.goto("/accounts/login/")
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("link", name="York Council"))
    # allauth asks to continue (a POST, so a link cannot sign anyone in).
    assert "/accounts/oidc/" in page.url
    assert_no_axe_violations(page)
    click_and_wait(page, page.locator("form button[type=submit]").first)
    # Now on the council's own sign-in page.
    assert page.url.startswith("http://localhost:") and "/login/" in page.url
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("idp-password")
    click_and_wait(page, page.get_by_role("button", name="Sign in to the council"))


def test_a_council_address_signs_in_through_the_provider_and_joins(page, york):
    _through_the_provider(page, "alex")
    assert page.url.endswith("/home/"), page.url  # signing in lands on the task home
    assert "York Council" in page.content()
    assert_no_axe_violations(page)
    alex = User.objects.get(email="alex@york.gov.uk")
    assert alex.full_name == "Alex Smith"
    assert Membership.objects.get(user=alex).organisation == york
    assert Membership.objects.get(user=alex).role == "member"
    assert AuditEntry.objects.filter(action="membership.joined_by_sign_on", actor=alex).exists()
    page.goto("/account/organisation/")
    assert "alex@york.gov.uk" in page.content()


def test_an_address_on_another_domain_is_refused_with_a_clear_page(page, york):
    _through_the_provider(page, "mallory")
    assert "You cannot sign in with this account" in page.content()
    assert "is not on an email domain approved for York Council" in page.content()
    assert_no_axe_violations(page)
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()
    assert page.goto("/account/").url.split("?")[0].endswith("/accounts/login/")
