"""Platform staff must set up two-factor authentication before using staff pages or admin."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect

STAFF_PREFIXES = ("/staff/", "/admin/")


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(STAFF_PREFIXES)
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Platform staff must set up an authenticator app before using staff pages.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
