"""axe finds no violations on every page the foundation built, in headless Chromium."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail

from ndx.accounts.models import Invitation, User

from ..accounts.factories import (
    PASSWORD,
    ApprovedDomainFactory,
    InvitationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    member,
)
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    "/",
    "/accessibility/",
    "/cookies/",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]


def test_public_pages_have_no_axe_violations(page):
    for url in PUBLIC_PAGES:
        page.goto(url)
        assert "National Digital Exchange" in page.content()
        assert_no_axe_violations(page)


def test_form_errors_have_no_axe_violations_and_link_to_fields(page):
    page.goto("/accounts/signup/")
    click_and_wait(page, page.get_by_role("button", name="Create an account"))
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert_no_axe_violations(page)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.gov.uk")
    page.locator("#id_password").fill("wrong")
    click_and_wait(page, page.get_by_role("button", name="Sign in"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)


def test_organisation_pages_have_no_axe_violations(page, live_server):
    admin = member(SupplierOrganisationFactory(name="Acme Ltd"), role="admin")
    colleague = member(admin.organisation)
    InvitationFactory(organisation=admin.organisation, invited_by=admin)
    sign_in(page, live_server, admin)
    for url in [
        "/account/",
        "/account/organisation/",
        "/account/organisation/invite/",
        f"/account/organisation/members/{colleague.membership.pk}/role/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/logout/",
        "/staff/",  # 403 page
    ]:
        page.goto(url)
        assert_no_axe_violations(page)
    page.goto("/account/organisation/invite/")
    click_and_wait(page, page.get_by_role("button", name="Send invitation"))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)


def test_staff_pages_have_no_axe_violations(page, live_server):
    staff = StaffFactory()
    sign_in(page, live_server, staff)
    page.goto("/staff/")  # no MFA yet: sent to set it up, after confirming the password
    assert "2fa%2Ftotp%2Factivate" in page.url
    assert_no_axe_violations(page)
    page.locator("#id_password").fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Continue"))
    assert "/accounts/2fa/totp/activate/" in page.url
    assert "Set up an authenticator app" in page.content()
    assert_no_axe_violations(page)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    ApprovedDomainFactory(domain="york.gov.uk")
    for url in ["/staff/", "/staff/domains/"]:
        page.goto(url)
        assert_no_axe_violations(page)


def test_invitation_landing_has_no_axe_violations(page):
    invitation = InvitationFactory(organisation=SupplierOrganisationFactory(name="Acme Ltd"))
    page.goto(f"/invitations/{invitation.token}/")
    assert "Join Acme Ltd" in page.content()
    assert_no_axe_violations(page)


def test_supplier_signs_up_verifies_email_and_invites_a_colleague(page, live_server):
    page.goto("/")
    click_and_wait(page, page.get_by_role("link", name="Create an account").first)
    page.get_by_label("Email").fill("owner@brightidea.co.uk")
    page.get_by_label("Full name").fill("Rosa Diaz")
    page.get_by_label("Sell technology to the public sector").check()
    page.get_by_label("Organisation name").fill("Bright Idea Ltd")
    page.locator("#id_password1").fill("Copper-Kettle-Meadow-7")
    page.locator("#id_password2").fill("Copper-Kettle-Meadow-7")
    click_and_wait(page, page.get_by_role("button", name="Create an account"))
    assert "Check your email to confirm your address" in page.content()
    assert_no_axe_violations(page)

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Confirm email address"))
    page.goto("/account/")
    assert "Bright Idea Ltd" in page.content()

    click_and_wait(page, page.get_by_role("link", name="Bright Idea Ltd"))
    click_and_wait(page, page.get_by_role("button", name="Invite a colleague"))
    page.get_by_label("Email address").fill("colleague@brightidea.co.uk")
    click_and_wait(page, page.get_by_role("button", name="Send invitation"))
    assert "Invitation sent to colleague@brightidea.co.uk" in page.content()
    assert Invitation.objects.filter(email="colleague@brightidea.co.uk").exists()
    assert User.objects.get(email="owner@brightidea.co.uk").is_org_admin
