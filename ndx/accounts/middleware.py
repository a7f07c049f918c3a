"""Platform staff reach staff pages and the Django admin only from a session that passed
two-factor authentication: having an authenticator set up is not enough, this session must
have used it (allauth records the methods each session used)."""

from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .services import session_passed_two_factor

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
