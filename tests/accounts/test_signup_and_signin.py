"""Sign up by email, verify, sign in, reset a password; buyers only from approved domains."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from ndx.accounts.models import Membership, Organisation, User
from ndx.audit.models import AuditEntry

from .factories import PASSWORD, ApprovedDomainFactory, BuyerOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Plain-Sailing-Kettle-42"


def signup(client, **overrides):
    data = {
        "email": "jo.bloggs@york.gov.uk",
        "full_name": "Jo Bloggs",
        "account_type": "buyer",
        "organisation_name": "City of York Council",
        "buyer_type": "council",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def confirmation_link() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_signup_page_renders_govuk_form(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "allauth/layouts/base.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'class="govuk-input' in html and "govuk-radios" in html
    assert "What do you want to do?" in html


def test_buyer_from_approved_domain_signs_up_verifies_and_signs_in(client):
    ApprovedDomainFactory(domain="york.gov.uk")
    response = signup(client)
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="jo.bloggs@york.gov.uk")
    assert user.full_name == "Jo Bloggs"
    assert user.organisation.name == "City of York Council"
    assert user.organisation.kind == Organisation.Kind.BUYER
    assert user.membership.role == Membership.Role.ADMIN
    assert AuditEntry.objects.filter(action="organisation.registered", actor=user).exists()
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified: signing in is held at the verification step.
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "jo.bloggs@york.gov.uk", "password": STRONG}
    )
    assert response.status_code == 302 and response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    link = confirmation_link()
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "jo.bloggs@york.gov.uk", "password": STRONG}
    )
    assert response.status_code == 302
    assert response.url == "/home/"
    page = client.get("/account/")
    assert page.status_code == 200
    assert "City of York Council" in page.content.decode()


def test_buyer_from_unapproved_domain_is_refused_and_nothing_is_created(client):
    ApprovedDomainFactory(domain="york.gov.uk")
    response = signup(client, email="someone@gmail.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "approved public-sector domain" in html
    assert 'href="#id_email"' in html
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_subdomain_rule_applies_only_when_allowed(client):
    ApprovedDomainFactory(domain="nhs.uk", include_subdomains=True, buyer_type="nhs")
    ApprovedDomainFactory(domain="gov.uk", include_subdomains=False)
    assert signup(client, email="a@mft.nhs.uk", organisation_name="MFT").status_code == 302
    response = signup(client, email="b@hull.gov.uk", organisation_name="Hull")
    assert response.status_code == 200
    assert not User.objects.filter(email="b@hull.gov.uk").exists()


def test_buyer_joins_the_organisation_linked_to_their_domain_as_member(client):
    leeds = BuyerOrganisationFactory(name="Leeds City Council")
    ApprovedDomainFactory(domain="leeds.gov.uk", organisation=leeds)
    response = signup(client, email="new@leeds.gov.uk", organisation_name="", buyer_type="")
    assert response.status_code == 302
    user = User.objects.get(email="new@leeds.gov.uk")
    assert user.organisation == leeds
    assert user.membership.role == Membership.Role.MEMBER


def test_supplier_signs_up_from_any_domain(client):
    response = signup(
        client,
        email="founder@tiny-startup.io",
        account_type="supplier",
        organisation_name="Tiny Startup Ltd",
        buyer_type="",
    )
    assert response.status_code == 302
    user = User.objects.get(email="founder@tiny-startup.io")
    assert user.organisation.kind == Organisation.Kind.SUPPLIER
    assert user.organisation.buyer_type == ""
    assert user.is_org_admin


def test_existing_organisation_name_is_refused(client):
    BuyerOrganisationFactory(name="City of York Council")
    ApprovedDomainFactory(domain="york.gov.uk")
    response = signup(client)
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not User.objects.exists()


def test_signup_requires_account_type_and_names(client):
    response = signup(client, account_type="", full_name="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select whether you are buying or supplying" in html
    assert not User.objects.exists()


def test_password_reset_flow(client):
    user = UserFactory(email="forgetful@kent.gov.uk")
    response = client.post("/accounts/password/reset/", {"email": "forgetful@kent.gov.uk"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response.url
    response = client.post(form_url, {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert not user.check_password(PASSWORD)


def test_sign_in_with_wrong_password_shows_error(client):
    UserFactory(email="jo@kent.gov.uk")
    response = client.post("/accounts/login/", {"login": "jo@kent.gov.uk", "password": "nope"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session
