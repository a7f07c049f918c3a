"""Joiners, movers and leavers: removing a member, leaving an organisation, staff suspending
and reinstating accounts, closing an account, and pseudonymising accounts past the retention
period. Each workflow is atomic, validates before it saves and is audited.

Removing a member ends their access at once: the membership goes and every session of theirs
is ended. Nothing they did is lost: their open drafts pass to an admin through the apps'
`handover_member_work` hooks (ndx.appkit), and every row that points at them (audit entries,
contracts, reviews) stays, pointing at the same account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ndx import appkit
from ndx.audit.services import audit_record

from .models import Membership, Organisation, User
from .services import require_org_admin, require_staff
from .sessions import sessions_end_for

LAST_ADMIN_REMOVE = (
    "{name} is the only admin of {organisation}. Make another member an admin first."
)
LAST_ADMIN_LEAVE = (
    "You are the only admin of {organisation}. Make another member an admin before you leave."
)
LAST_ADMIN_CLOSE = (
    "You are the only admin of {organisation}. Make another member an admin, or leave the "
    "organisation, before you close your account."
)
PSEUDONYM_EMAIL_DOMAIN = "former-users.invalid"


def is_last_admin(membership: Membership | None) -> bool:
    if membership is None or membership.role != Membership.Role.ADMIN:
        return False
    admins = Membership.objects.filter(
        organisation_id=membership.organisation_id, role=Membership.Role.ADMIN
    )
    return not admins.exclude(pk=membership.pk).exists()


def _another_admin(organisation: Organisation, *, besides: User) -> User | None:
    other = (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .exclude(user=besides)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    return other.user if other else None


def _end_membership(*, membership: Membership, to: User | None) -> dict[str, int]:
    """Hand open work to `to` (if any), then delete the membership. Returns what was passed."""
    passed: dict[str, int] = {}
    if to is not None:
        passed = appkit.handover_member_work(
            user=membership.user, organisation=membership.organisation, to=to
        )
    membership.delete()
    return passed


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> dict[str, int]:
    """An organisation admin removes a member: access ends at once, drafts pass to the admin."""
    require_org_admin(actor, membership.organisation)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    if membership.user_id == actor.pk:
        raise ValidationError("You cannot remove yourself. Use ‘Leave this organisation’.")
    if is_last_admin(membership):
        raise ValidationError(
            LAST_ADMIN_REMOVE.format(name=membership.user, organisation=membership.organisation)
        )
    user, organisation, role = membership.user, membership.organisation, membership.role
    passed = _end_membership(membership=membership, to=actor)
    ended = sessions_end_for(user)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.removed",
        obj=user,
        detail={"user": user.email, "role": role, "sessions_ended": ended, "handed_over": passed},
    )
    return passed


@transaction.atomic
def member_leave(*, actor: User) -> dict[str, int]:
    """A member leaves their organisation; their drafts pass to one of its admins."""
    membership = actor.membership_or_none
    if membership is None:
        raise ValidationError("You do not belong to an organisation.")
    if is_last_admin(membership):
        raise ValidationError(LAST_ADMIN_LEAVE.format(organisation=membership.organisation))
    organisation, role = membership.organisation, membership.role
    passed = _end_membership(membership=membership, to=_another_admin(organisation, besides=actor))
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.left",
        obj=actor,
        detail={"user": actor.email, "role": role, "handed_over": passed},
    )
    return passed


@transaction.atomic
def account_suspend(*, actor: User, user: User, reason: str) -> User:
    """Staff suspend an account: it cannot sign in, and every session of it ends now."""
    require_staff(actor, "suspend accounts")
    if user.pk == actor.pk:
        raise ValidationError("You cannot suspend your own account.")
    if user.closed_at is not None:
        raise ValidationError("This account is closed.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is suspended"})
    user.is_active = False
    user.suspended_at = timezone.now()
    user.save(update_fields=["is_active", "suspended_at"])
    ended = sessions_end_for(user)
    audit_record(
        actor=actor,
        organisation=None,
        action="account.suspended",
        obj=user,
        detail={"user": user.email, "reason": reason.strip(), "sessions_ended": ended},
    )
    return user


@transaction.atomic
def account_reinstate(*, actor: User, user: User) -> User:
    require_staff(actor, "reinstate accounts")
    if user.closed_at is not None:
        raise ValidationError("A closed account cannot be reinstated.")
    if user.suspended_at is None and user.is_active:
        raise ValidationError("This account is not suspended.")
    user.is_active = True
    user.suspended_at = None
    user.save(update_fields=["is_active", "suspended_at"])
    audit_record(
        actor=actor,
        organisation=None,
        action="account.reinstated",
        obj=user,
        detail={"user": user.email},
    )
    return user


def _pseudonymise(user: User) -> None:
    """Remove the login and replace the name and email in place. The row stays, so audit
    entries, contracts and reviews keep pointing at it (now "Former user N")."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    if hasattr(user, "socialaccount_set"):
        user.socialaccount_set.all().delete()
    user.full_name = user.pseudonym
    user.email = f"former-user-{user.pk}@{PSEUDONYM_EMAIL_DOMAIN}"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.closed_at = timezone.now()
    user.save()
    sessions_end_for(user)


@transaction.atomic
def account_close(*, actor: User) -> User:
    """A person closes their own account. Refused for the last admin of an organisation."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    membership = user.membership_or_none
    if is_last_admin(membership):
        raise ValidationError(LAST_ADMIN_CLOSE.format(organisation=membership.organisation))
    organisation = membership.organisation if membership else None
    passed: dict[str, int] = {}
    if membership is not None:
        passed = _end_membership(
            membership=membership, to=_another_admin(organisation, besides=user)
        )
    _pseudonymise(user)
    audit_record(
        actor=user,
        organisation=organisation,
        action="account.closed",
        obj=user,
        detail={"handed_over": passed},
    )
    return user


def retention_cutoff():
    return timezone.now() - timedelta(days=int(settings.NDX_ACCOUNT_RETENTION_DAYS))


def accounts_due_for_pseudonymisation():
    """Accounts not yet pseudonymised that were suspended, or not used, for the retention
    period (never signed in: counted from when they joined)."""
    from django.db.models import Q

    cutoff = retention_cutoff()
    return User.objects.filter(closed_at__isnull=True).filter(
        Q(suspended_at__lt=cutoff)
        | Q(last_login__lt=cutoff)
        | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )


def accounts_pseudonymise_expired() -> dict[str, int]:
    """For the daily beat task. The last admin of an organisation that still has other
    members is skipped (and counted), since the organisation would be left with no admin:
    staff deal with those."""
    done = skipped = 0
    for candidate in accounts_due_for_pseudonymisation().iterator():
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=candidate.pk)
            membership = user.membership_or_none
            if is_last_admin(membership) and membership.organisation.memberships.count() > 1:
                skipped += 1
                continue
            organisation = membership.organisation if membership else None
            passed: dict[str, int] = {}
            if membership is not None:
                passed = _end_membership(
                    membership=membership, to=_another_admin(organisation, besides=user)
                )
            _pseudonymise(user)
            audit_record(
                actor=None,
                organisation=organisation,
                action="account.pseudonymised",
                obj=user,
                detail={
                    "reason": f"retention period of {settings.NDX_ACCOUNT_RETENTION_DAYS} days",
                    "handed_over": passed,
                },
            )
            done += 1
    return {"pseudonymised": done, "skipped_last_admins": skipped}
