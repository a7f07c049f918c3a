"""Joiners, movers, leavers (issue 20): admins remove members, members leave, the last admin
can do neither, staff suspend and reinstate accounts. Access ends at once, drafts pass to an
admin, nothing done is lost, every change is audited."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError

from buying.models import Requirement
from ndx.accounts import leaving
from ndx.accounts.models import Membership
from ndx.audit.models import AuditEntry
from tests.accounts.factories import PASSWORD, BuyerOrganisationFactory, StaffFactory, member
from tests.auth import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    organisation = BuyerOrganisationFactory(name="Leeds City Council")
    admin = member(organisation, role="admin", email="admin@leeds.gov.uk")
    worker = member(organisation, email="worker@leeds.gov.uk")
    return organisation, admin, worker


def _signed_in(user, *, reauthenticated: bool = True, **kwargs) -> Client:
    """Signed in; by default also having just confirmed the password again (allauth's
    reauthentication, which removal asks for)."""
    client = Client()
    client.force_login(user, **kwargs)
    if reauthenticated:
        reauthenticate(client)
    return client


def reauthenticate(client: Client, *, at: float | None = None) -> None:
    session = client.session
    records = list(session["account_authentication_methods"])
    records.append({"method": "password", "at": at or time.time(), "reauthenticated": True})
    session["account_authentication_methods"] = records
    session.save()


def test_admin_removes_a_member_whose_open_session_is_refused_at_once(council):
    organisation, admin, worker = council
    workers_browser = _signed_in(worker)
    assert workers_browser.get("/account/organisation/").status_code == 200
    draft = Requirement.objects.create(organisation=organisation, created_by=worker, title="Draft")
    sent = Requirement.objects.create(
        organisation=organisation, created_by=worker, title="Sent", status="submitted"
    )

    admins_browser = _signed_in(admin)
    page = admins_browser.get(f"/account/organisation/members/{worker.membership.pk}/remove/")
    assert page.status_code == 200
    assert "You cannot undo this" in page.content.decode()
    response = admins_browser.post(f"/account/organisation/members/{worker.membership.pk}/remove/")
    assert response.status_code == 302

    assert not Membership.objects.filter(user=worker).exists()
    # The open browser session is ended: the next request is a stranger's.
    response = workers_browser.get("/account/organisation/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert workers_browser.get(f"/buying/requirements/{draft.pk}/").status_code == 302
    # Signed in again, they are a person with no organisation: refused.
    assert _signed_in(worker).get("/account/organisation/").status_code == 403
    assert _signed_in(worker).get(f"/buying/requirements/{draft.pk}/").status_code == 403
    # Their draft passed to the admin; what they submitted still names them.
    draft.refresh_from_db()
    sent.refresh_from_db()
    assert draft.created_by == admin and sent.created_by == worker
    removed = AuditEntry.objects.get(action="membership.removed")
    assert removed.actor == admin and removed.detail["user"] == "worker@leeds.gov.uk"
    assert removed.detail["handed_over"] == {"buying": 1}
    handed = AuditEntry.objects.get(action="requirement.handed_over")
    assert handed.object_id == str(draft.pk) and handed.detail["to"] == "admin@leeds.gov.uk"


def test_every_session_of_the_removed_member_ends_even_untracked_ones(council):
    organisation, admin, worker = council
    browsers = [_signed_in(worker) for _ in range(3)]
    other = _signed_in(admin)

    def sessions_of(user):
        return [
            s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
        ]

    assert len(sessions_of(worker)) == 3
    leaving.member_remove(actor=admin, membership=worker.membership)
    assert sessions_of(worker) == []
    assert len(sessions_of(admin)) == 1
    assert all(b.get("/account/").status_code == 302 for b in browsers)
    assert other.get("/account/").status_code == 200


@pytest.mark.parametrize("confirmed_minutes_ago", [None, 60])
def test_removal_asks_for_the_password_again(council, confirmed_minutes_ago):
    organisation, admin, worker = council
    # Signed in an hour ago: no longer recent enough for a sensitive action on its own.
    browser = _signed_in(admin, reauthenticated=False, signed_in_at=time.time() - 3600)
    if confirmed_minutes_ago is not None:
        reauthenticate(browser, at=time.time() - confirmed_minutes_ago * 60)
    url = f"/account/organisation/members/{worker.membership.pk}/remove/"
    assert browser.get(url).status_code == 200  # the confirm page is shown
    response = browser.post(url)
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert Membership.objects.filter(user=worker).exists()
    reauthenticate(browser)
    assert browser.post(url).status_code == 302
    assert not Membership.objects.filter(user=worker).exists()


def test_a_recent_sign_in_counts_as_recent_authentication(council):
    organisation, admin, worker = council
    browser = _signed_in(admin, reauthenticated=False)  # signed in just now
    url = f"/account/organisation/members/{worker.membership.pk}/remove/"
    assert browser.post(url).status_code == 302
    assert not Membership.objects.filter(user=worker).exists()


def test_only_an_admin_of_that_organisation_can_remove(council):
    organisation, admin, worker = council
    other_admin = member(BuyerOrganisationFactory(), role="admin")
    url = f"/account/organisation/members/{worker.membership.pk}/remove/"
    assert _signed_in(other_admin).post(url).status_code == 404
    colleague = member(organisation)
    assert _signed_in(colleague).post(url).status_code == 403
    assert Membership.objects.filter(user=worker).exists()
    with pytest.raises(PermissionDenied):
        leaving.member_remove(actor=other_admin, membership=worker.membership)


def test_the_last_admin_can_neither_remove_themselves_nor_leave_until_another_admin_exists(council):
    organisation, admin, worker = council
    browser = _signed_in(admin)
    page = browser.post(f"/account/organisation/members/{admin.membership.pk}/remove/")
    assert "You cannot remove yourself" in page.content.decode()
    page = browser.post("/account/organisation/leave/")
    assert page.status_code == 200
    assert "You are the only admin of Leeds City Council" in page.content.decode()
    with pytest.raises(ValidationError):
        leaving.member_leave(actor=admin)
    assert Membership.objects.filter(user=admin).exists()
    assert (
        "Make another member an admin before you leave"
        in browser.get("/account/organisation/").content.decode()
    )

    worker.membership.role = "admin"
    worker.membership.save()
    assert browser.post("/account/organisation/leave/").status_code == 302
    assert not Membership.objects.filter(user=admin).exists()
    assert AuditEntry.objects.filter(action="membership.left", actor=admin).exists()


def test_a_member_leaves_and_their_drafts_pass_to_an_admin(council):
    organisation, admin, worker = council
    draft = Requirement.objects.create(organisation=organisation, created_by=worker, title="D")
    browser = _signed_in(worker)
    assert (
        "your draft requirements pass"
        in browser.get("/account/organisation/leave/").content.decode()
    )
    assert browser.post("/account/organisation/leave/").status_code == 302
    assert worker.__class__.objects.get(pk=worker.pk).organisation is None
    draft.refresh_from_db()
    assert draft.created_by == admin
    assert browser.get("/account/organisation/").status_code == 403
    assert browser.get("/account/").status_code == 200  # still signed in, as nobody's member


def test_staff_suspend_and_reinstate_an_account(council):
    organisation, admin, worker = council
    staff = StaffFactory()
    staffs_browser = _signed_in(staff, two_factor=True)
    workers_browser = _signed_in(worker)
    # Staff pages need TOTP set up.
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(staff, "JBSWY3DPEHPK3PXPTESTSECR")
    staffs_browser = _signed_in(staff)
    listing = staffs_browser.get("/staff/accounts/", {"q": "worker@"})
    assert listing.status_code == 200 and "worker@leeds.gov.uk" in listing.content.decode()

    url = f"/staff/accounts/{worker.pk}/"
    refused = staffs_browser.post(url, {"action": "suspend", "reason": ""})
    assert "Say why the account is suspended" in refused.content.decode()
    response = staffs_browser.post(url, {"action": "suspend", "reason": "Left the council"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.status == "suspended" and not worker.is_active
    # Signed out everywhere, and cannot sign in.
    assert workers_browser.get("/account/").status_code == 302
    login = Client().post("/accounts/login/", {"login": worker.email, "password": PASSWORD})
    assert "/accounts/inactive/" in login.get("Location", "") or login.status_code == 200
    assert Client().login(email=worker.email, password=PASSWORD) is False
    assert AuditEntry.objects.get(action="account.suspended").detail["reason"] == "Left the council"

    assert staffs_browser.post(url, {"action": "reinstate"}).status_code == 302
    worker.refresh_from_db()
    assert worker.status == "active" and worker.organisation == organisation
    assert Client().login(email=worker.email, password=PASSWORD) is True
    assert AuditEntry.objects.filter(action="account.reinstated", actor=staff).exists()


def test_only_staff_suspend(council):
    organisation, admin, worker = council
    with pytest.raises(PermissionDenied):
        leaving.account_suspend(actor=admin, user=worker, reason="x")
    assert (
        _signed_in(admin)
        .post(f"/staff/accounts/{worker.pk}/", {"action": "suspend", "reason": "x"})
        .status_code
        == 403
    )
    worker.refresh_from_db()
    assert worker.is_active


def test_staff_cannot_suspend_themselves():
    staff = StaffFactory()
    with pytest.raises(ValidationError):
        leaving.account_suspend(actor=staff, user=staff, reason="x")
