"""Account and organisation workflows. Each is atomic, validates before saving and is audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ndx.audit.services import audit_record
from ndx.outbox import enqueue_on_commit

from .models import ApprovedDomain, Invitation, Membership, Organisation, User

# --- approved public-sector domains ---------------------------------------------------------


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def approved_domain_for_email(email: str) -> ApprovedDomain | None:
    """The approved domain entry that lets this address sign up as a buyer, if any."""
    domain = email_domain(email)
    if not domain:
        return None
    exact = ApprovedDomain.objects.filter(domain=domain).select_related("organisation").first()
    if exact:
        return exact
    parts = domain.split(".")
    parents = [".".join(parts[i:]) for i in range(1, len(parts) - 1)]
    return (
        ApprovedDomain.objects.filter(domain__in=parents, include_subdomains=True)
        .select_related("organisation")
        .order_by("-domain")
        .first()
    )


def normalise_domain(value: str) -> str:
    domain = value.strip().lower().lstrip("@").rstrip(".")
    labels = domain.split(".")
    if (
        len(labels) < 2
        or len(domain) > 253
        or any(not label or len(label) > 63 for label in labels)
        or not all(c.isalnum() or c == "-" for label in labels for c in label)
        or any(label.startswith("-") or label.endswith("-") for label in labels)
    ):
        raise ValidationError({"domain": "Enter a domain like leeds.gov.uk, without the @"})
    return domain


@transaction.atomic
def approved_domain_add(
    *,
    actor: User,
    domain: str,
    buyer_type: str,
    include_subdomains: bool = False,
    organisation: Organisation | None = None,
) -> ApprovedDomain:
    if not actor.is_staff:
        raise PermissionDenied("Only platform staff can approve domains.")
    domain = normalise_domain(domain)
    if ApprovedDomain.objects.filter(domain=domain).exists():
        raise ValidationError({"domain": f"{domain} is already on the list"})
    if buyer_type not in Organisation.BuyerType.values:
        raise ValidationError({"buyer_type": "Select the type of organisation"})
    if organisation is not None and organisation.kind != Organisation.Kind.BUYER:
        raise ValidationError({"organisation": "Select a buyer organisation"})
    entry = ApprovedDomain.objects.create(
        domain=domain,
        buyer_type=buyer_type,
        include_subdomains=include_subdomains,
        organisation=organisation,
    )
    audit_record(
        actor=actor,
        action="approved_domain.added",
        obj=entry,
        detail={"domain": domain, "include_subdomains": include_subdomains},
    )
    return entry


@transaction.atomic
def approved_domain_remove(*, actor: User, entry: ApprovedDomain) -> None:
    if not actor.is_staff:
        raise PermissionDenied("Only platform staff can remove domains.")
    audit_record(actor=actor, action="approved_domain.removed", obj=entry)
    entry.delete()


# --- organisations and sign-up ------------------------------------------------------------


def _check_organisation_name(name: str, kind: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"organisation_name": "Enter your organisation's name"})
    if Organisation.objects.filter(name__iexact=name, kind=kind).exists():
        raise ValidationError(
            {
                "organisation_name": (
                    f"{name} already has an account. Ask one of its admins to invite you."
                )
            }
        )
    return name


@transaction.atomic
def organisation_register(
    *, user: User, kind: str, name: str, buyer_type: str = ""
) -> Organisation:
    """Create an organisation with `user` as its first admin."""
    if user.membership_or_none is not None:
        raise ValidationError("You already belong to an organisation.")
    name = _check_organisation_name(name, kind)
    if kind == Organisation.Kind.BUYER and buyer_type not in Organisation.BuyerType.values:
        raise ValidationError({"buyer_type": "Select the type of organisation"})
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                buyer_type=buyer_type if kind == Organisation.Kind.BUYER else "",
            )
    except IntegrityError as exc:
        raise ValidationError({"organisation_name": f"{name} already has an account."}) from exc
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    audit_record(
        actor=user,
        organisation=organisation,
        action="organisation.registered",
        obj=organisation,
        detail={"kind": kind, "buyer_type": organisation.buyer_type},
    )
    return organisation


def signup_validate(
    *, email: str, account_type: str, organisation_name: str, buyer_type: str
) -> dict[str, str]:
    """Check sign-up details before any account is created. Returns field errors."""
    errors: dict[str, str] = {}
    name = " ".join(organisation_name.split())
    creates_organisation = False
    if account_type == Organisation.Kind.BUYER:
        entry = approved_domain_for_email(email)
        if entry is None:
            errors["email"] = (
                "Buyer accounts need an email address from an approved public-sector domain. "
                "Use your work address, or contact us to add your organisation's domain."
            )
        elif entry.organisation is None:
            creates_organisation = True
            if buyer_type not in Organisation.BuyerType.values:
                errors["buyer_type"] = "Select the type of organisation"
    elif account_type == Organisation.Kind.SUPPLIER:
        creates_organisation = True
    else:
        errors["account_type"] = "Select whether you are buying or supplying"
    if creates_organisation:
        if not name:
            errors["organisation_name"] = "Enter your organisation's name"
        elif Organisation.objects.filter(name__iexact=name, kind=account_type).exists():
            errors["organisation_name"] = (
                f"{name} already has an account. Ask one of its admins to invite you."
            )
    return errors


@transaction.atomic
def signup_complete(
    *, user: User, full_name: str, account_type: str, organisation_name: str, buyer_type: str
) -> Membership:
    """Attach a newly signed-up user to an organisation (called by the sign-up form)."""
    errors = signup_validate(
        email=user.email,
        account_type=account_type,
        organisation_name=organisation_name,
        buyer_type=buyer_type,
    )
    if errors:
        raise ValidationError(errors)
    user.full_name = " ".join(full_name.split())
    user.save(update_fields=["full_name"])
    if account_type == Organisation.Kind.BUYER:
        entry = approved_domain_for_email(user.email)
        if entry.organisation is not None:
            membership = Membership.objects.create(
                user=user, organisation=entry.organisation, role=Membership.Role.MEMBER
            )
            audit_record(
                actor=user,
                organisation=entry.organisation,
                action="membership.joined_by_domain",
                obj=membership,
                detail={"domain": entry.domain},
            )
            return membership
        organisation_register(
            user=user, kind=account_type, name=organisation_name, buyer_type=buyer_type
        )
    else:
        organisation_register(user=user, kind=account_type, name=organisation_name)
    return user.membership


# --- roles ----------------------------------------------------------------------------------


def require_staff(actor: User | None, what: str) -> None:
    """Platform staff only: anyone else gets PermissionDenied naming what they tried."""
    if not (actor is not None and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(f"Only platform staff can {what}.")


def require_org_admin(user: User, organisation: Organisation | None = None) -> Membership:
    membership = user.membership_or_none if user.is_authenticated else None
    if membership is None or membership.role != Membership.Role.ADMIN:
        raise PermissionDenied("Only an admin of your organisation can do this.")
    if organisation is not None and membership.organisation_id != organisation.pk:
        raise PermissionDenied("You are not an admin of that organisation.")
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require_org_admin(actor, membership.organisation)
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Select a role"})
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and membership.organisation.memberships.filter(role=Membership.Role.ADMIN).count() == 1
    ):
        raise ValidationError({"role": "An organisation must keep at least one admin."})
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        organisation=membership.organisation,
        action="membership.role_changed",
        obj=membership,
        detail={"from": old, "to": role, "user": membership.user.email},
    )
    return membership


# --- invitations ------------------------------------------------------------------------------


def invitation_email_send(*, invitation_id: int, base_url: str) -> None:
    """Email the invitation link. Sending again for the same invitation is harmless."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if invitation.status != Invitation.Status.PENDING:
        return
    url = base_url.rstrip("/") + reverse("accounts:invitation", args=[invitation.token])
    context = {"invitation": invitation, "url": url, "service_name": settings.NDX_SERVICE_NAME}
    send_mail(
        subject=f"You have been invited to join {invitation.organisation} on "
        f"{settings.NDX_SERVICE_NAME}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, inviter: User, email: str, role: str, base_url: str) -> Invitation:
    membership = require_org_admin(inviter)
    organisation = membership.organisation
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Select a role"})
    existing = User.objects.filter(email__iexact=email).first()
    if existing and existing.membership_or_none is not None:
        if existing.organisation == organisation:
            raise ValidationError({"email": f"{email} is already a member of {organisation}"})
        raise ValidationError({"email": f"{email} already belongs to another organisation"})
    if organisation.kind == Organisation.Kind.BUYER and approved_domain_for_email(email) is None:
        raise ValidationError(
            {"email": "Buyer organisations can only invite addresses on an approved domain"}
        )
    if Invitation.objects.pending().filter(organisation=organisation, email=email).exists():
        raise ValidationError({"email": f"{email} has already been invited"})
    # An expired invitation still marked pending is replaced by the new one.
    Invitation.objects.filter(
        organisation=organisation, email=email, status=Invitation.Status.PENDING
    ).update(status=Invitation.Status.REVOKED)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=inviter
    )
    audit_record(
        actor=inviter,
        organisation=organisation,
        action="invitation.created",
        obj=invitation,
        detail={"email": email, "role": role},
    )
    enqueue_on_commit("ndx.accounts.tasks.send_invitation_email", invitation.pk, base_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require_org_admin(actor, invitation.organisation)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("Only a pending invitation can be cancelled.")
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(
        actor=actor,
        organisation=invitation.organisation,
        action="invitation.revoked",
        obj=invitation,
    )
    return invitation


def _check_usable(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError("This invitation has already been used.")
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationError("This invitation has been cancelled.")
    if invitation.is_expired:
        raise ValidationError("This invitation has expired. Ask for a new one.")


def _accept(invitation: Invitation, user: User) -> Membership:
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        organisation=invitation.organisation,
        action="invitation.accepted",
        obj=invitation,
        detail={"role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """A signed-in user accepts an invitation sent to their address."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_usable(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}. Sign in with that address."
        )
    if user.membership_or_none is not None:
        raise ValidationError("You already belong to an organisation.")
    return _accept(invitation, user)


@transaction.atomic
def invitation_accept_new_user(*, invitation: Invitation, full_name: str, password: str) -> User:
    """Create the invited person's account. The link in the email proves the address."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_usable(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account with this email address exists. Sign in to accept.")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": "Enter your full name"})
    user = User(email=invitation.email, full_name=full_name)
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _accept(invitation, user)
    return user


# --- signing in -----------------------------------------------------------------------------

TWO_FACTOR_METHOD = "mfa"


def session_methods(request) -> list[str]:
    """The authentication methods this session used for its signed-in user (allauth's records):
    e.g. ["password", "mfa"]. Empty for a session signed in some other way."""
    from allauth.account.authentication import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [record.get("method", "") for record in get_authentication_records(request, user)]


def session_passed_two_factor(request) -> bool:
    return TWO_FACTOR_METHOD in session_methods(request)


def session_start_fresh_for(*, request, user: User) -> bool:
    """Before `user` signs in: if someone else is signed in in this session, end that session
    and start an empty one, keeping only the new person's authentication records (so their
    two-factor step still counts). Nothing of the previous person carries over. True when the
    session was replaced."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from django.contrib.auth.models import AnonymousUser

    current = getattr(request, "user", None)
    if current is None or not current.is_authenticated or current.pk == user.pk:
        return False
    # allauth keeps the records under this key and the key of the user they belong to (which
    # starts the same way); both were just written for `user`.
    keep = {
        key: value
        for key, value in request.session.items()
        if key.startswith(AUTHENTICATION_METHODS_SESSION_KEY)
    }
    request.session.flush()
    request.session.update(keep)
    request.user = AnonymousUser()
    return True


def staff_signin_record(*, request, user: User) -> None:
    """An audit entry for every staff sign-in, with the methods this session used."""
    if not (user.is_staff or user.is_superuser):
        return
    methods = [m for m in session_methods(request) if m]
    audit_record(
        action="account.staff_signed_in",
        actor=user,
        obj=user,
        organisation=None,
        detail={
            "methods": methods,
            "two_factor": TWO_FACTOR_METHOD in methods,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )
