"""The staff two-factor step cannot be skipped: not through the Django admin's sign-in form,
not by a session that passed the password alone, and not by signing in over someone else's
session. Replays the report: a buyer signs in, opens /admin/login/, posts the staff password
there, and must not get a staff or admin page until the authenticator code is given."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from ndx.audit.models import AuditEntry

from .factories import PASSWORD, StaffFactory, member
from .test_staff_and_domains import SECRET, current_code

pytestmark = pytest.mark.django_db

STAFF_AND_ADMIN = ["/admin/", "/admin/accounts/user/", "/staff/", "/staff/domains/"]


@pytest.fixture
def staff():
    user = StaffFactory(email="staff@ndx.example", is_superuser=True)
    TOTP.activate(user, SECRET)
    return user


def sign_in_with_password(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def assert_no_staff_page(client, when: str):
    for url in STAFF_AND_ADMIN:
        response = client.get(url)
        assert response.status_code != 200, f"{url} {when}: got 200"


def test_the_reported_admin_bypass_stays_closed(client, staff):
    buyer = member(email="buyer@leeds.gov.uk")
    # 1. Sign in normally as a council member.
    assert sign_in_with_password(client, buyer).status_code == 302
    assert client.session["_auth_user_id"] == str(buyer.pk)
    # 2. The admin's sign-in page is allauth's, not Django's form.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "allauth" in page.templates[0].name or "account/login" in page.templates[0].name
    assert b"Django administration" not in page.content
    # 3. Posting the staff password to the admin form signs nobody in.
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.session["_auth_user_id"] == str(buyer.pk)
    # 4. No admin or staff page for this session.
    assert_no_staff_page(client, "after posting to the admin form")
    # Signing in as staff through allauth stops at the two-factor step.
    response = sign_in_with_password(client, staff)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert_no_staff_page(client, "after the password alone")
    # With the code, staff pages open.
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert response.status_code == 302
    for url in STAFF_AND_ADMIN:
        assert client.get(url).status_code == 200, url


def test_signing_in_as_someone_else_starts_a_fresh_session(client, staff):
    buyer = member()
    sign_in_with_password(client, buyer)
    session = client.session
    session["left_by_the_buyer"] = "secret"
    session.save()
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The password is accepted: the buyer's session ends at once, before two-factor.
    sign_in_with_password(client, staff)
    assert "_auth_user_id" not in client.session
    assert "left_by_the_buyer" not in client.session
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key
    client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert "left_by_the_buyer" not in client.session
    assert client.get("/staff/").status_code == 200


def test_a_wrong_password_for_someone_else_keeps_the_current_session(client, staff):
    buyer = member()
    sign_in_with_password(client, buyer)
    response = client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(buyer.pk)


def test_a_password_only_staff_session_gets_no_staff_page(client, staff):
    client.force_login(staff, two_factor=False)  # however it got there
    for url in STAFF_AND_ADMIN:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next="), url
    page = client.get("/staff/", follow=True)
    assert b"Enter the code from your authenticator app" in page.content or (
        b"two-factor authentication in this session" in page.content
    )
    # Giving the code in this session opens the staff pages and returns to where they were.
    response = client.post(
        "/accounts/2fa/reauthenticate/?next=/staff/domains/", {"code": current_code()}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/domains/"
    for url in STAFF_AND_ADMIN:
        assert client.get(url).status_code == 200, url


def test_a_signed_in_non_staff_user_is_sent_to_allauth_sign_in(client):
    client.force_login(member())
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'name="login"' in page.content
    assert b"who is not platform staff" in page.content


def test_staff_sign_in_failures_through_any_form_share_one_lockout(client, staff):
    # allauth's login_failed limit is 5 per 5 minutes for one account; the admin's old form
    # no longer authenticates, so it cannot be used to try more passwords.
    for _ in range(3):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    for _ in range(3):
        response = client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        assert response.status_code == 302 and "_auth_user_id" not in client.session
    for _ in range(2):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    # Locked: the right password is refused now, through the one form there is.
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert response.get("Location") != "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert_no_staff_page(client, "while locked out")


def test_every_staff_sign_in_is_audited_with_its_methods(client, staff):
    sign_in_with_password(client, staff)
    assert not AuditEntry.objects.filter(action="account.staff_signed_in").exists()
    client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    entry = AuditEntry.objects.get(action="account.staff_signed_in")
    assert entry.actor == staff
    assert entry.detail["methods"] == ["password", "mfa"]
    assert entry.detail["two_factor"] is True


def test_non_staff_sign_ins_are_not_audited_as_staff(client):
    sign_in_with_password(client, member())
    assert not AuditEntry.objects.filter(action="account.staff_signed_in").exists()
