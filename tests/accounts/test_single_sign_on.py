"""Single sign-on set-up by staff and the rules applied when someone signs in through an
organisation's provider (the journey itself, against a real provider, is in
tests/browser/test_single_sign_on.py)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import PermissionDenied, ValidationError

from ndx.accounts.models import Membership, OrganisationSignOn
from ndx.accounts.sign_on import (
    SignOnRefused,
    organisation_sign_on_configure,
    sign_on_check,
    sign_on_join,
)
from ndx.audit.models import AuditEntry
from tests.accounts.factories import (
    ApprovedDomainFactory,
    BuyerOrganisationFactory,
    StaffFactory,
    SupplierOrganisationFactory,
    UserFactory,
    member,
)
from tests.auth import Client

pytestmark = pytest.mark.django_db
ISSUER = "https://login.example-idp.com/tenant/v2.0"


@pytest.fixture
def staff():
    person = StaffFactory()
    TOTP.activate(person, "JBSWY3DPEHPK3PXPTESTSECR")
    return person


@pytest.fixture
def york(staff):
    organisation = BuyerOrganisationFactory(name="York Council")
    ApprovedDomainFactory(domain="york.gov.uk", organisation=organisation, include_subdomains=True)
    organisation_sign_on_configure(
        actor=staff, organisation=organisation, issuer=ISSUER, client_id="abc", secret="s3cret"
    )
    return organisation


def test_staff_set_up_a_provider_through_the_page(staff):
    organisation = BuyerOrganisationFactory(name="Leeds City Council")
    client = Client()
    client.force_login(staff)
    listing = client.get("/staff/sign-on/").content.decode()
    assert "Leeds City Council" in listing and "None (passwords only)" in listing
    page = client.get(f"/staff/sign-on/{organisation.pk}/").content.decode()
    assert f"/accounts/oidc/org-{organisation.pk}/login/callback/" in page
    refused = client.post(
        f"/staff/sign-on/{organisation.pk}/",
        {"issuer": "http://idp.example", "client_id": "c", "secret": "s"},
    )
    assert "starting with https://" in refused.content.decode()
    response = client.post(
        f"/staff/sign-on/{organisation.pk}/",
        {"issuer": ISSUER + "/", "client_id": "client-1", "secret": "very-secret"},
    )
    assert response.status_code == 302
    app = SocialApp.objects.get(provider_id=f"org-{organisation.pk}")
    assert (app.provider, app.client_id, app.secret) == (
        "openid_connect",
        "client-1",
        "very-secret",
    )
    assert app.settings == {"server_url": ISSUER} and app.name == "Leeds City Council"
    entry = AuditEntry.objects.get(action="sign_on.created")
    assert "very-secret" not in str(entry.detail)
    # A blank secret keeps the current one; removal deletes the provider.
    client.post(f"/staff/sign-on/{organisation.pk}/", {"issuer": ISSUER, "client_id": "client-2"})
    app.refresh_from_db()
    assert (app.client_id, app.secret) == ("client-2", "very-secret")
    client.post(f"/staff/sign-on/{organisation.pk}/", {"action": "remove"})
    assert not SocialApp.objects.exists() and not OrganisationSignOn.objects.exists()
    assert AuditEntry.objects.filter(action="sign_on.removed").exists()


def test_only_staff_and_only_buyer_organisations(staff):
    buyer_admin = member(BuyerOrganisationFactory(), role="admin")
    with pytest.raises(PermissionDenied):
        organisation_sign_on_configure(
            actor=buyer_admin,
            organisation=buyer_admin.organisation,
            issuer=ISSUER,
            client_id="x",
            secret="y",
        )
    with pytest.raises(ValidationError):
        organisation_sign_on_configure(
            actor=staff,
            organisation=SupplierOrganisationFactory(),
            issuer=ISSUER,
            client_id="x",
            secret="y",
        )


def test_the_login_page_offers_the_provider_and_still_takes_passwords(york):
    page = Client().get("/accounts/login/").content.decode()
    assert "York Council" in page
    assert f"/accounts/oidc/org-{york.pk}/login/" in page
    assert 'name="password"' in page


@pytest.mark.parametrize(
    "email,joins",
    [("alex@york.gov.uk", True), ("alex@social.york.gov.uk", True), ("alex@leeds.gov.uk", False)],
)
def test_only_approved_domains_of_that_organisation_get_in(york, email, joins):
    ApprovedDomainFactory(domain="leeds.gov.uk", organisation=BuyerOrganisationFactory())
    if joins:
        assert sign_on_check(provider_id=f"org-{york.pk}", email=email, existing_user=None) == york
    else:
        with pytest.raises(SignOnRefused, match="not on an email domain approved for York"):
            sign_on_check(provider_id=f"org-{york.pk}", email=email, existing_user=None)


def test_existing_people_join_unless_they_belong_elsewhere_are_staff_or_suspended(york):
    provider = f"org-{york.pk}"
    loner = UserFactory(email="loner@york.gov.uk")
    assert sign_on_check(provider_id=provider, email=loner.email, existing_user=loner) == york
    membership = sign_on_join(user=loner, organisation=york, provider_id=provider)
    assert membership.role == Membership.Role.MEMBER
    assert sign_on_join(user=loner, organisation=york, provider_id=provider) is None

    elsewhere = member(BuyerOrganisationFactory(name="Other"), email="moved@york.gov.uk")
    with pytest.raises(SignOnRefused, match="belongs to Other"):
        sign_on_check(provider_id=provider, email=elsewhere.email, existing_user=elsewhere)
    staff = StaffFactory(email="ops@york.gov.uk")
    with pytest.raises(SignOnRefused, match="Platform staff"):
        sign_on_check(provider_id=provider, email=staff.email, existing_user=staff)
    suspended = UserFactory(email="gone@york.gov.uk", is_active=False)
    with pytest.raises(SignOnRefused, match="suspended"):
        sign_on_check(provider_id=provider, email=suspended.email, existing_user=suspended)


def test_an_unknown_provider_is_refused():
    with pytest.raises(SignOnRefused):
        sign_on_check(provider_id="org-999", email="a@b.gov.uk", existing_user=None)


def test_the_csp_allows_the_provider_only_on_the_sign_on_start_page(york):
    start = Client().get(f"/accounts/oidc/org-{york.pk}/login/")
    assert "form-action 'self' https://login.example-idp.com" in start["Content-Security-Policy"]
    login = Client().get("/accounts/login/")
    assert "example-idp" not in login["Content-Security-Policy"]
