"""Single sign-on per buyer organisation through its OpenID Connect provider (allauth's
openid_connect provider). Staff set a provider up (issuer, client id, secret); a person who
signs in through it with an address on that organisation's approved domains joins it as a
member; any other address is refused before anyone is signed in. Audited; the client secret
never goes in the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ndx.audit.services import audit_record

from .models import Membership, Organisation, OrganisationSignOn, User
from .services import approved_domain_for_email, require_staff

PROVIDER = "openid_connect"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def provider_id_for(organisation: Organisation) -> str:
    return f"org-{organisation.pk}"


def _clean_issuer(issuer: str) -> str:
    issuer = issuer.strip().rstrip("/")
    parts = urlsplit(issuer)
    local = parts.hostname in LOCAL_HOSTS and (settings.DEBUG or settings.TESTING)
    if (
        not parts.hostname
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not local)
    ):
        raise ValidationError(
            {"issuer": "Enter the provider’s issuer address, starting with https://"}
        )
    return issuer


@transaction.atomic
def organisation_sign_on_configure(
    *, actor: User, organisation: Organisation, issuer: str, client_id: str, secret: str
) -> OrganisationSignOn:
    """Create or change the organisation's provider. A blank secret keeps the current one."""
    require_staff(actor, "set up single sign-on")
    if organisation.kind != Organisation.Kind.BUYER:
        raise ValidationError("Single sign-on is for buyer organisations.")
    errors = {}
    try:
        issuer = _clean_issuer(issuer)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    client_id = client_id.strip()
    if not client_id:
        errors["client_id"] = ["Enter the client ID the provider gave you"]
    existing = OrganisationSignOn.objects.filter(organisation=organisation).first()
    if not secret.strip() and existing is None:
        errors["secret"] = ["Enter the client secret the provider gave you"]
    if errors:
        raise ValidationError(errors)
    app = existing.social_app if existing else SocialApp(provider=PROVIDER)
    app.provider_id = provider_id_for(organisation)
    app.name = organisation.name
    app.client_id = client_id
    if secret.strip():
        app.secret = secret.strip()
    app.settings = {**(app.settings or {}), "server_url": issuer}
    app.save()
    sign_on = existing or OrganisationSignOn.objects.create(
        organisation=organisation, social_app=app, created_by=actor
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="sign_on.changed" if existing else "sign_on.created",
        obj=sign_on,
        detail={"issuer": issuer, "client_id": client_id, "secret_changed": bool(secret.strip())},
    )
    return sign_on


@transaction.atomic
def organisation_sign_on_remove(*, actor: User, sign_on: OrganisationSignOn) -> None:
    require_staff(actor, "remove single sign-on")
    organisation = sign_on.organisation
    audit_record(
        actor=actor,
        organisation=organisation,
        action="sign_on.removed",
        obj=sign_on,
        detail={"issuer": sign_on.issuer},
    )
    sign_on.social_app.delete()  # cascades to the OrganisationSignOn row


class SignOnRefused(Exception):
    def __init__(self, message: str, *, organisation: Organisation | None = None):
        super().__init__(message)
        self.message, self.organisation = message, organisation


def sign_on_for_provider(provider_id: str) -> OrganisationSignOn | None:
    return (
        OrganisationSignOn.objects.select_related("organisation", "social_app")
        .filter(social_app__provider_id=provider_id)
        .first()
    )


def sign_on_check(*, provider_id: str, email: str, existing_user: User | None) -> Organisation:
    """The organisation this sign-in joins, or SignOnRefused saying why not."""
    sign_on = sign_on_for_provider(provider_id)
    if sign_on is None:
        raise SignOnRefused("This sign-in service is not set up for any organisation.")
    organisation = sign_on.organisation
    if not email:
        raise SignOnRefused(
            "Your organisation’s sign-in service did not tell us your email address.",
            organisation=organisation,
        )
    entry = approved_domain_for_email(email)
    if entry is None or entry.organisation_id != organisation.pk:
        raise SignOnRefused(
            f"{email} is not on an email domain approved for {organisation}. Sign in with your "
            f"{organisation} work address, or with your email address and password.",
            organisation=organisation,
        )
    if existing_user is not None:
        if existing_user.is_staff or existing_user.is_superuser:
            raise SignOnRefused(
                "Platform staff sign in with their password and authenticator app.",
                organisation=organisation,
            )
        other = existing_user.organisation
        if other is not None and other.pk != organisation.pk:
            raise SignOnRefused(
                f"{email} belongs to {other}, not {organisation}.", organisation=organisation
            )
        if not existing_user.is_active:
            raise SignOnRefused("This account is suspended or closed.", organisation=organisation)
    return organisation


@transaction.atomic
def sign_on_join(*, user: User, organisation: Organisation, provider_id: str) -> Membership | None:
    """After a sign-in through the organisation's provider: make the person a member if they
    are not one yet. Returns the new membership, or None if they already belonged."""
    if Membership.objects.filter(user=user).exists():
        return None
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=Membership.Role.MEMBER
    )
    audit_record(
        actor=user,
        organisation=organisation,
        action="membership.joined_by_sign_on",
        obj=membership,
        detail={"user": user.email, "provider": provider_id},
    )
    return membership
