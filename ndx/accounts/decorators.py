"""Access rules for views: anonymous users go to sign in; the wrong role gets 403."""

import time
from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Membership


def member_required(view=None, *, kind: str | None = None):
    """The user must belong to an organisation (of `kind`, if given)."""

    def decorator(func):
        @login_required
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            organisation = request.user.organisation
            if organisation is None:
                raise PermissionDenied("You need to belong to an organisation to do this.")
            if kind is not None and organisation.kind != kind:
                raise PermissionDenied(f"Only {kind} organisations can do this.")
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def org_admin_required(func):
    @login_required
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        membership = request.user.membership_or_none
        if membership is None or membership.role != Membership.Role.ADMIN:
            raise PermissionDenied("Only an admin of your organisation can do this.")
        return func(request, *args, **kwargs)

    return wrapper


def staff_required(func):
    @login_required
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only platform staff can do this.")
        return func(request, *args, **kwargs)

    return wrapper


def _recently_authenticated(request) -> bool:
    """Signed in (password, code or single sign-on) or re-authenticated within the last
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds, by this session's authentication records."""
    from allauth.account import app_settings as allauth_settings
    from allauth.account.authentication import get_authentication_records

    if not request.user.is_authenticated:
        return False
    now = time.time()
    return any(
        now - float(record.get("at", 0)) < allauth_settings.REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, request.user)
        if record.get("method") in {"password", "mfa", "socialaccount", "code"}
    )


def sensitive_action(view):
    """Sensitive actions (awards, contract changes, staff approvals, removing a member,
    closing an account) ask for the password, or the authenticator code, again unless this
    session signed in or confirmed it in the last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds
    (allauth's reauthentication; the suspended request resumes afterwards). The page itself
    (GET) shows without it; the POST that acts needs it. Put it inside the access checks, so a
    wrong role gets its 403/404 first."""
    return reauthentication_required(
        view, allow_get=True, enabled=lambda request: not _recently_authenticated(request)
    )
