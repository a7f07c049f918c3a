"""The sign-in, sign-up, password and two-factor pages speak GOV.UK style, not the library's
wording ("Sign In", "Sign Up", "Two-Factor Authentication")."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from .factories import PASSWORD, StaffFactory, UserFactory
from .test_staff_and_domains import SECRET

pytestmark = pytest.mark.django_db

LIBRARY_WORDING = [
    "Sign In", "Sign Up", "Signup", "Sign Out", "Two-Factor Authentication", "Password Reset",
    "Reset My Password", "Change Password", "Verify Your Email Address", "Confirm Access",
    "Activate Authenticator App", "Email Addresses", "Make Primary", "Recovery Codes",
]  # fmt: skip


def heading(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()) if match else ""


def assert_plain(html: str) -> None:
    for words in LIBRARY_WORDING:
        assert words not in html, words


@pytest.mark.parametrize(
    ("url", "title", "button"),
    [
        ("/accounts/login/", "Sign in", "Sign in"),
        ("/accounts/signup/", "Create an account", "Create an account"),
        ("/accounts/password/reset/", "Reset your password", "Send the link"),
    ],
)
def test_entrance_pages(client, url, title, button):
    html = client.get(url).content.decode()
    assert heading(html) == title
    assert f"<title>{title} - National Digital Exchange - GOV.UK</title>" in " ".join(html.split())
    assert re.search(rf"<button[^>]*>\s*{button}\s*</button>", html)
    assert_plain(html)


def test_signed_in_account_pages(client):
    client.force_login(UserFactory())
    for url, title in [
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/email/", "Your email addresses"),
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/logout/", "Sign out"),
    ]:
        html = client.get(url).content.decode()
        assert heading(html) == title, url
        assert_plain(html)


def test_the_second_step_of_signing_in_asks_for_the_code(client):
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    html = client.get("/accounts/2fa/authenticate/").content.decode()
    assert heading(html) == "Enter the code from your authenticator app"
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", html)
    assert_plain(html)


def test_asking_for_the_code_again_in_a_session(client):
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    client.force_login(staff, two_factor=False)
    html = client.get("/staff/", follow=True).content.decode()
    assert heading(html) == "Enter the code from your authenticator app"
    assert_plain(html)


def test_setting_up_the_authenticator_app(client):
    staff = StaffFactory()
    client.force_login(staff)
    html = client.get("/accounts/2fa/totp/activate/", follow=True).content.decode()
    # First the password again (a change to how they sign in), then the set-up page.
    assert heading(html) == "Enter your password to continue"
    response = client.post(
        "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD}
    )
    html = client.get(response["Location"]).content.decode()
    assert heading(html) == "Set up an authenticator app"
    assert_plain(html)
