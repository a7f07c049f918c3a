"""django-allauth hooks: a sign-in as someone else starts a fresh session, staff sign-ins are
audited with the methods used, and sign-in through an organisation's provider is checked
against its approved domains."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render

from ndx.ratelimit import client_address

from .services import session_start_fresh_for, staff_signin_record
from .sign_on import SignOnRefused, sign_on_check, sign_on_for_provider, sign_on_join


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through an organisation's OpenID Connect provider (ndx.accounts.sign_on):
    only addresses on that organisation's approved domains get in, and they join it."""

    def _email(self, sociallogin) -> str:
        email = (sociallogin.user.email or "").strip().lower()
        if not email and sociallogin.email_addresses:
            email = sociallogin.email_addresses[0].email.strip().lower()
        return email

    def pre_social_login(self, request, sociallogin):
        provider_id = sociallogin.account.provider
        existing = sociallogin.user if sociallogin.is_existing else None
        try:
            organisation = sign_on_check(
                provider_id=provider_id, email=self._email(sociallogin), existing_user=existing
            )
        except SignOnRefused as refusal:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "accounts/sign_on_refused.html",
                    {"message": refusal.message, "organisation": refusal.organisation},
                    status=403,
                )
            ) from None
        sociallogin.state["ndx_organisation_id"] = organisation.pk
        if existing is not None:
            sign_on_join(user=existing, organisation=organisation, provider_id=provider_id)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = self._email(sociallogin)
        user.full_name = (data.get("name") or "").strip()[:150]
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        provider_id = sociallogin.account.provider
        sign_on = sign_on_for_provider(provider_id)
        if sign_on is not None:
            sign_on_join(user=user, organisation=sign_on.organisation, provider_id=provider_id)
        return user
