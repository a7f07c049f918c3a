"""axe finds no violations on the pages issue 20 added (leavers, sessions, personal data,
staff suspension and single sign-on set-up), in headless Chromium, and the removal journey
works by its buttons."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from ndx.accounts.models import Membership

from ..accounts.factories import BuyerOrganisationFactory, StaffFactory, member
from ..auth import Client
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user, *, reauthenticated=False) -> None:
    client = Client()
    client.force_login(user, reauthenticated=reauthenticated)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_member_pages_and_the_removal_journey(page, live_server):
    organisation = BuyerOrganisationFactory(name="Leeds City Council")
    admin = member(organisation, role="admin", email="admin@leeds.gov.uk")
    worker = member(organisation, email="worker@leeds.gov.uk")
    _sign_in(page, live_server, admin, reauthenticated=True)
    for url in [
        "/account/",
        "/accounts/sessions/",
        "/account/close/",
        "/account/organisation/leave/",
    ]:
        page.goto(url)
        assert_no_axe_violations(page)
    page.goto("/account/organisation/")
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("link", name="Remove worker@leeds.gov.uk"))
    assert "You cannot undo this" in page.content()
    assert_no_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Remove worker@leeds.gov.uk"))
    assert "worker@leeds.gov.uk has been removed" in page.content()
    assert_no_axe_violations(page)
    assert not Membership.objects.filter(user=worker).exists()


def test_staff_pages(page, live_server):
    staff = StaffFactory()
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    buyer = member(BuyerOrganisationFactory(name="York Council"), email="alex@york.gov.uk")
    _sign_in(page, live_server, staff)
    pages = [
        "/staff/accounts/?q=alex",
        f"/staff/accounts/{buyer.pk}/",
        "/staff/sign-on/",
        f"/staff/sign-on/{buyer.organisation.pk}/",
    ]
    for url in pages:
        page.goto(url)
        assert page.url.endswith(url), page.url
        assert_no_axe_violations(page)
    page.goto(f"/staff/accounts/{buyer.pk}/")
    page.get_by_label("Why are you suspending this account?").fill("Left the council")
    click_and_wait(page, page.get_by_role("button", name="Suspend alex@york.gov.uk"))
    assert "is suspended and signed out" in page.content()
    assert_no_axe_violations(page)
