"""Personal data (issue 20, UK GDPR): the "Your data" download holds everything NDX holds on
the person and nothing on anyone else; closing an account removes the login and pseudonymises
the person in place, keeping contracts and audit rows; a daily task pseudonymises accounts
unused or suspended for the retention period."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ndx.accounts import leaving
from ndx.accounts.models import Membership, User
from ndx.accounts.tasks import pseudonymise_expired_accounts
from ndx.audit.models import AuditEntry
from ndx.audit.services import audit_record
from tests.accounts.factories import PASSWORD, BuyerOrganisationFactory, member
from tests.auth import Client
from tests.reviews.factories import ContractFactory, published_review

pytestmark = pytest.mark.django_db


def _browser(user, *, reauthenticated=True, signed_in_at=None) -> Client:
    client = Client()
    client.force_login(user, reauthenticated=reauthenticated, signed_in_at=signed_in_at)
    return client


@pytest.fixture
def council():
    organisation = BuyerOrganisationFactory(name="York Council")
    admin = member(organisation, role="admin", email="admin@york.gov.uk")
    alex = member(organisation, email="alex@york.gov.uk", full_name="Alex Smith")
    sam = member(organisation, email="sam@york.gov.uk", full_name="Sam Jones")
    return organisation, admin, alex, sam


def test_the_download_holds_the_persons_reviews_and_audit_entries_and_no_one_elses(council):
    organisation, admin, alex, sam = council
    contract = ContractFactory(organisation=organisation, awarded_by=alex)
    mine = published_review(contract, author=alex, title="Alex's review")
    published_review(ContractFactory(organisation=organisation), author=sam, title="Sam's review")
    audit_record(actor=alex, action="shortlist.created", organisation=organisation)
    audit_record(actor=sam, action="shortlist.frozen", organisation=organisation)
    audit_record(actor=admin, action="membership.role_changed", obj=alex)  # about Alex
    audit_record(actor=admin, action="membership.role_changed", obj=sam)

    response = _browser(alex).get("/account/your-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)

    assert data["account"]["email"] == "alex@york.gov.uk"
    assert data["account"]["name"] == "Alex Smith"
    assert data["membership"]["organisation"] == "York Council"
    assert data["membership"]["role"] == "Member"
    assert data["email_addresses"] == [
        {"email": "alex@york.gov.uk", "verified": True, "primary": True}
    ]
    reviews = data["reviews"]["reviews_written"]
    assert [r["id"] for r in reviews] == [mine.pk]
    assert reviews[0]["title"] == "Alex's review"
    actions = sorted((e["action"], e["by_you"]) for e in data["audit_entries"])
    assert actions == [("membership.role_changed", False), ("shortlist.created", True)]
    text = response.content.decode()
    assert "sam@york.gov.uk" not in text and "Sam's review" not in text and "Sam Jones" not in text
    assert "secret" not in text.lower()


def test_the_download_lists_sessions(council):
    organisation, admin, alex, sam = council
    client = Client()
    assert (
        client.post(
            "/accounts/login/",
            {"login": alex.email, "password": PASSWORD},
            HTTP_USER_AGENT="Firefox",
        ).status_code
        == 302
    )
    data = json.loads(client.get("/account/your-data/").content)
    assert [s["browser"] for s in data["sessions"]] == ["Firefox"]


def test_only_signed_in_people_download_and_only_their_own(client):
    response = client.get("/account/your-data/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_closing_an_account_pseudonymises_in_place_and_keeps_contracts_and_audit(council):
    organisation, admin, alex, sam = council
    contract = ContractFactory(organisation=organisation, awarded_by=alex)
    review = published_review(contract, author=alex)
    entry = audit_record(actor=alex, action="contract.awarded", obj=contract)
    browser = _browser(alex)
    page = browser.get("/account/close/").content.decode()
    assert "You cannot undo this" in page and f"Former user {alex.pk}" in page

    response = browser.post("/account/close/")
    assert response.status_code == 302
    alex.refresh_from_db()
    assert alex.full_name == f"Former user {alex.pk}"
    assert alex.email == f"former-user-{alex.pk}@former-users.invalid"
    assert not alex.has_usable_password() and not alex.is_active and alex.status == "closed"
    assert not Membership.objects.filter(user=alex).exists()
    assert not User.objects.filter(email="alex@york.gov.uk").exists()
    # The login is gone and this browser is signed out.
    assert browser.get("/account/").status_code == 302
    assert Client().login(email="alex@york.gov.uk", password=PASSWORD) is False
    # Contracts, reviews and audit rows stay, pointing at the pseudonym.
    contract.refresh_from_db()
    review.refresh_from_db()
    assert contract.awarded_by == alex and review.author == alex
    assert AuditEntry.objects.get(pk=entry.pk).actor == alex
    assert str(AuditEntry.objects.get(pk=entry.pk).actor) == f"Former user {alex.pk}"
    closed = AuditEntry.objects.get(action="account.closed")
    assert closed.actor == alex
    # The contract page still shows, to the organisation.
    assert _browser(admin).get(f"/buying/contracts/{contract.pk}/").status_code == 200


def test_closing_is_refused_for_the_last_admin(council):
    organisation, admin, alex, sam = council
    page = _browser(admin).post("/account/close/")
    assert page.status_code == 200
    assert "You are the only admin of York Council" in page.content.decode()
    with pytest.raises(ValidationError):
        leaving.account_close(actor=admin)
    admin.refresh_from_db()
    assert admin.status == "active" and admin.email == "admin@york.gov.uk"


def test_closing_asks_for_the_password_again(council):
    organisation, admin, alex, sam = council
    # Signed in an hour ago and not confirmed since: closing the account asks for the password.
    response = _browser(alex, reauthenticated=False, signed_in_at=time.time() - 3600).post(
        "/account/close/"
    )
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    alex.refresh_from_db()
    assert alex.status == "active"


def test_the_retention_task_pseudonymises_unused_and_long_suspended_accounts(council, settings):
    organisation, admin, alex, sam = council
    settings.NDX_ACCOUNT_RETENTION_DAYS = 365
    long_ago = timezone.now() - timedelta(days=400)
    User.objects.filter(pk=alex.pk).update(last_login=long_ago)
    User.objects.filter(pk=sam.pk).update(last_login=timezone.now() - timedelta(days=30))
    never = member(organisation, email="never@york.gov.uk")
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=long_ago)
    suspended = member(organisation, email="suspended@york.gov.uk")
    User.objects.filter(pk=suspended.pk).update(
        is_active=False, suspended_at=long_ago, last_login=timezone.now()
    )
    lonely_admin = member(BuyerOrganisationFactory(), role="admin", email="lonely@x.gov.uk")
    member(lonely_admin.organisation, email="colleague@x.gov.uk")
    User.objects.filter(pk=lonely_admin.pk).update(last_login=long_ago)

    assert pseudonymise_expired_accounts() == {"pseudonymised": 3, "skipped_last_admins": 1}
    statuses = {u.pk: u.status for u in User.objects.all()}
    assert statuses[alex.pk] == statuses[never.pk] == statuses[suspended.pk] == "closed"
    assert statuses[sam.pk] == statuses[admin.pk] == statuses[lonely_admin.pk] == "active"
    assert AuditEntry.objects.filter(action="account.pseudonymised").count() == 3
    assert pseudonymise_expired_accounts() == {"pseudonymised": 0, "skipped_last_admins": 1}


def test_the_privacy_page_says_what_is_kept_why_and_for_how_long(client, settings):
    settings.NDX_ACCOUNT_RETENTION_DAYS = 730
    page = client.get("/privacy/").content.decode()
    for words in ("What we keep", "Why", "How long", "2 years", "Former user", "7 years"):
        assert words in page, words


def test_the_retention_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ndx.accounts.tasks.pseudonymise_expired_accounts" in tasks
