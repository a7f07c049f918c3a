"""Organisation admins invite colleagues by email; members cannot; anonymous users sign in first."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ndx.accounts import services
from ndx.accounts.models import Invitation, Membership, User
from ndx.audit.models import AuditEntry

from .factories import (
    ApprovedDomainFactory,
    BuyerOrganisationFactory,
    InvitationFactory,
    SupplierOrganisationFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier_admin():
    return member(SupplierOrganisationFactory(name="Acme Ltd"), role=Membership.Role.ADMIN)


def test_admin_invites_a_colleague_and_an_email_is_sent(
    client, supplier_admin, django_capture_on_commit_callbacks
):
    client.force_login(supplier_admin)
    response = client.get("/account/organisation/invite/")
    assert response.status_code == 200
    assert "accounts/invite.html" in [t.name for t in response.templates]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/organisation/invite/", {"email": "New.Person@Acme.co.uk", "role": "member"}
        )
    assert response.status_code == 302 and response.url == "/account/organisation/"
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@acme.co.uk"
    assert invitation.organisation == supplier_admin.organisation
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.person@acme.co.uk"]
    assert AuditEntry.objects.filter(action="invitation.created").count() == 1
    page = client.get("/account/organisation/").content.decode()
    assert "new.person@acme.co.uk" in page


def test_member_cannot_invite(client, supplier_admin):
    colleague = member(supplier_admin.organisation, role=Membership.Role.MEMBER)
    client.force_login(colleague)
    assert client.get("/account/organisation/invite/").status_code == 403
    response = client.post("/account/organisation/invite/", {"email": "x@y.com", "role": "admin"})
    assert response.status_code == 403
    assert "Only an admin of your organisation" in response.content.decode()
    assert not Invitation.objects.exists()
    with pytest.raises(PermissionDenied):
        services.invitation_create(inviter=colleague, email="x@y.com", role="member", base_url="/")


def test_member_cannot_change_roles(client, supplier_admin):
    colleague = member(supplier_admin.organisation)
    client.force_login(colleague)
    response = client.post(
        f"/account/organisation/members/{colleague.membership.pk}/role/", {"role": "admin"}
    )
    assert response.status_code == 403
    colleague.membership.refresh_from_db()
    assert colleague.membership.role == Membership.Role.MEMBER


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in ["/account/", "/account/organisation/", "/account/organisation/invite/", "/staff/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_invited_person_creates_an_account_and_joins(
    client, supplier_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            inviter=supplier_admin,
            email="dev@acme.co.uk",
            role="admin",
            base_url="http://testserver",
        )
    link = re.search(r"http://testserver(/invitations/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert "Join Acme Ltd" in response.content.decode()
    response = client.post(
        link, {"full_name": "Dev Person", "password1": "Sturdy-Lantern-88", "password2": "x"}
    )
    assert response.status_code == 200
    assert "The passwords do not match" in response.content.decode()
    assert not User.objects.filter(email="dev@acme.co.uk").exists()
    response = client.post(
        link,
        {
            "full_name": "Dev Person",
            "password1": "Sturdy-Lantern-88",
            "password2": "Sturdy-Lantern-88",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="dev@acme.co.uk")
    assert user.organisation == supplier_admin.organisation
    assert user.membership.role == Membership.Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    # The link works once.
    client.logout()
    assert "already been used" in client.get(link).content.decode()


def test_existing_user_accepts_when_signed_in_with_the_invited_address(client, supplier_admin):
    invitee = UserFactory(email="solo@acme.co.uk")
    invitation = services.invitation_create(
        inviter=supplier_admin, email=invitee.email, role="member", base_url="http://testserver"
    )
    other = UserFactory(email="other@acme.co.uk")
    client.force_login(other)
    response = client.post(f"/invitations/{invitation.token}/")
    assert "This invitation was sent to solo@acme.co.uk" in response.content.decode()
    assert other.membership_or_none is None
    client.force_login(invitee)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert invitee.organisation == supplier_admin.organisation


def test_expired_and_cancelled_invitations_cannot_be_used(client, supplier_admin):
    expired = InvitationFactory(
        organisation=supplier_admin.organisation,
        invited_by=supplier_admin,
        expires_at=timezone.now() - timedelta(days=1),
    )
    response = client.get(f"/invitations/{expired.token}/")
    assert "expired" in response.content.decode()
    with pytest.raises(ValidationError):
        services.invitation_accept_new_user(
            invitation=expired, full_name="X", password="Aa-1234567!"
        )
    assert not User.objects.filter(email=expired.email).exists()

    pending = services.invitation_create(
        inviter=supplier_admin, email="later@acme.co.uk", role="member", base_url="/"
    )
    client.force_login(supplier_admin)
    response = client.post(f"/account/organisation/invitations/{pending.pk}/cancel/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.REVOKED


def test_duplicate_and_already_member_invitations_are_refused(supplier_admin):
    services.invitation_create(
        inviter=supplier_admin, email="a@acme.co.uk", role="member", base_url="/"
    )
    with pytest.raises(ValidationError, match="already been invited"):
        services.invitation_create(
            inviter=supplier_admin, email="A@acme.co.uk", role="member", base_url="/"
        )
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(
            inviter=supplier_admin, email=supplier_admin.email, role="member", base_url="/"
        )
    assert Invitation.objects.count() == 1


def test_buyer_organisations_invite_only_approved_domains(client):
    ApprovedDomainFactory(domain="kent.gov.uk")
    admin = member(
        BuyerOrganisationFactory(name="Kent County Council"),
        role="admin",
        email="admin@kent.gov.uk",
    )
    client.force_login(admin)
    response = client.post(
        "/account/organisation/invite/", {"email": "friend@gmail.com", "role": "member"}
    )
    assert response.status_code == 200
    assert "approved domain" in response.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(
        "/account/organisation/invite/", {"email": "colleague@kent.gov.uk", "role": "member"}
    )
    assert response.status_code == 302


def test_admin_changes_role_but_last_admin_is_kept(client, supplier_admin):
    colleague = member(supplier_admin.organisation)
    client.force_login(supplier_admin)
    url = f"/account/organisation/members/{colleague.membership.pk}/role/"
    assert client.post(url, {"role": "admin"}).status_code == 302
    colleague.membership.refresh_from_db()
    assert colleague.membership.role == "admin"
    # Demote both: the last admin stays an admin.
    own = f"/account/organisation/members/{supplier_admin.membership.pk}/role/"
    assert client.post(own, {"role": "member"}).status_code == 302
    client.force_login(colleague)
    response = client.post(url, {"role": "member"})
    assert response.status_code == 200
    assert "at least one admin" in response.content.decode()
    colleague.membership.refresh_from_db()
    assert colleague.membership.role == "admin"


def test_admin_cannot_touch_another_organisations_members(client, supplier_admin):
    stranger = member(SupplierOrganisationFactory())
    client.force_login(supplier_admin)
    response = client.post(
        f"/account/organisation/members/{stranger.membership.pk}/role/", {"role": "admin"}
    )
    assert response.status_code == 404
