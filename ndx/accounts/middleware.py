"""Platform staff reach staff pages and the Django admin only from a session that passed
two-factor authentication: having an authenticator set up is not enough, this session must
have used it (allauth records the methods each session used)."""

import re
from urllib.parse import urlencode, urlsplit

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .services import session_passed_two_factor
from .sessions import idle_limit_seconds, session_is_idle, session_touch
from .sign_on import sign_on_for_provider

STAFF_PREFIXES = ("/staff/", "/admin/")
SET_UP_MESSAGE = "Platform staff must set up an authenticator app before using staff pages."
CONFIRM_MESSAGE = (
    "Staff pages need two-factor authentication in this session. Enter the code from your "
    "authenticator app to continue."
)


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(STAFF_PREFIXES)
            and user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_superuser)
        ):
            if not is_mfa_enabled(user):
                messages.warning(request, SET_UP_MESSAGE)
                return redirect("mfa_activate_totp")
            if not session_passed_two_factor(request):
                messages.warning(request, CONFIRM_MESSAGE)
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)


IDLE_MESSAGE = "You were signed out because you had not used the service for {minutes} minutes."


class IdleTimeoutMiddleware:
    """Ends a signed-in session that has not been used for NDX_IDLE_TIMEOUT_SECONDS (staff:
    NDX_IDLE_TIMEOUT_STAFF_SECONDS). The request then goes on as an anonymous visitor, so a
    private page sends the person to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if session_is_idle(request):
                minutes = idle_limit_seconds(user) // 60
                logout(request)
                messages.info(request, IDLE_MESSAGE.format(minutes=minutes))
            else:
                session_touch(request)
        return self.get_response(request)


SIGN_ON_START = re.compile(r"^/accounts/oidc/(?P<provider_id>[^/]+)/login/$")


class SignOnFormActionMiddleware:
    """The Content-Security-Policy allows forms to post to this site only, and browsers apply
    that to where the post redirects as well. Starting single sign-on posts here and is
    redirected to the organisation's provider: on that one page, allow that provider's origin
    too (and nothing else)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = SIGN_ON_START.match(request.path)
        if match:
            sign_on = sign_on_for_provider(match["provider_id"])
            if sign_on is not None and sign_on.issuer:
                parts = urlsplit(sign_on.issuer)
                response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response
