"""django-allauth hooks: a sign-in as someone else starts a fresh session, and staff sign-ins
are audited with the methods used."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from ndx.ratelimit import client_address

from .services import session_start_fresh_for, staff_signin_record


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        # Called once the password (or code) is accepted, before two-factor and before Django's
        # login(): if another person is signed in in this browser, nothing of theirs carries over.
        session_start_fresh_for(request=request, user=user)
        return super().pre_login(request, user, **kwargs)

    def get_client_ip(self, request) -> str:
        # allauth's sign-in limits count per address: the same trusted-proxy rule as ours.
        return client_address(request)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        staff_signin_record(request=request, user=user)
        return response
