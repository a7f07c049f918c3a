"""Platform staff must use MFA, and manage the approved buyer domain list."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from ndx.accounts.models import ApprovedDomain
from ndx.audit.models import AuditEntry

from .factories import PASSWORD, StaffFactory, UserFactory, member

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPTESTSECR"


def current_code(secret: str = SECRET) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def staff_with_mfa():
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    return staff


def test_staff_without_mfa_are_sent_to_set_it_up(client):
    client.force_login(StaffFactory())
    for url in ["/staff/", "/staff/domains/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == "/accounts/2fa/totp/activate/", url


def test_staff_sign_in_asks_for_a_code(client, staff_with_mfa):
    response = client.post(
        "/accounts/login/", {"login": staff_with_mfa.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_non_staff_get_403_on_staff_pages(client):
    client.force_login(member())
    response = client.get("/staff/domains/")
    assert response.status_code == 403
    assert "Only platform staff" in response.content.decode()


def test_staff_add_and_remove_domains_with_audit(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post("/staff/domains/", {"domain": "@Hull.GOV.uk", "buyer_type": "council"})
    assert response.status_code == 302
    entry = ApprovedDomain.objects.get()
    assert entry.domain == "hull.gov.uk"
    response = client.post("/staff/domains/", {"domain": "hull.gov.uk", "buyer_type": "council"})
    assert response.status_code == 200
    assert "already on the list" in response.content.decode()
    response = client.post("/staff/domains/", {"domain": "not a domain", "buyer_type": "council"})
    assert "Enter a domain like" in response.content.decode()
    assert ApprovedDomain.objects.count() == 1
    response = client.post(f"/staff/domains/{entry.pk}/remove/")
    assert response.status_code == 302
    assert not ApprovedDomain.objects.exists()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "approved_domain.added" in actions and "approved_domain.removed" in actions


def test_user_without_organisation_gets_403_on_organisation_page(client):
    client.force_login(UserFactory())
    assert client.get("/account/organisation/").status_code == 403
