"""The reported admin bypass, replayed in Chromium: a buyer signs in, opens the admin's sign-in
page, posts the staff password there, and gets no admin or staff page until the code is given."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from ..accounts.factories import PASSWORD, StaffFactory, member
from ..accounts.test_staff_and_domains import SECRET, current_code
from .fixtures import assert_no_axe_violations
from .helpers import click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(password)
    click_and_wait(page, page.locator("form button[type=submit]").first)


def status_of(page, url: str) -> int:
    response = page.goto(url)
    return response.status if response is not None else 0


def test_admin_bypass_replayed_in_chromium(page):
    staff = StaffFactory(email="staff@ndx.example", is_superuser=True)
    TOTP.activate(staff, SECRET)
    member(email="buyer@leeds.gov.uk")

    # 1. A council member signs in.
    page.goto("/accounts/login/")
    sign_in(page, "buyer@leeds.gov.uk")
    assert page.url.endswith("/home/")  # signing in lands on the task home
    # 2. /admin/login/ shows allauth's sign-in page, not Django's admin form.
    page.goto("/admin/login/?next=/admin/")
    assert "/accounts/login/" in page.url
    assert page.locator("#id_username").count() == 0
    assert "who is not platform staff" in page.content()
    assert_no_axe_violations(page)
    # 3. The staff password alone stops at the authenticator step ...
    sign_in(page, "staff@ndx.example")
    assert "/accounts/2fa/authenticate/" in page.url
    assert_no_axe_violations(page)
    # 4. ... and no admin or staff page opens in this session until the code is given.
    for url in ["/admin/", "/admin/accounts/user/", "/staff/"]:
        page.goto(url)
        assert "Site administration" not in page.content(), url
        assert "/accounts/login/" in page.url or "/accounts/2fa/" in page.url, url
    page.goto("/accounts/2fa/authenticate/")
    page.locator("#id_code").fill(current_code())
    click_and_wait(page, page.locator("form button[type=submit]").first)
    assert status_of(page, "/staff/") == 200
    assert status_of(page, "/admin/") == 200
    assert "Site administration" in page.content()
