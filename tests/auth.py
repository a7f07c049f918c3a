"""Signing in in tests as a real sign-in would.

`force_login` skips the sign-in pages, so on its own it leaves a session with no record of how
the person authenticated, and staff pages (rightly) refuse such a session. This client's
`force_login` also writes allauth's authentication records: a password, then the authenticator
code when the person has one set up, as the real sign-in does. Pass `two_factor=False` for a
staff session that signed in with a password alone, `signed_in_at=` for a sign-in some time ago,
and `reauthenticated=True` for a session that has just confirmed the password again. Sensitive
actions (ndx.accounts.decorators.sensitive_action) ask for the password again unless the
sign-in or a re-authentication is recent.
"""

from __future__ import annotations

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
from allauth.mfa.utils import is_mfa_enabled
from django.test import Client as DjangoClient


def authentication_records(
    user,
    *,
    two_factor: bool | None = None,
    reauthenticated: bool = False,
    signed_in_at: float | None = None,
) -> dict:
    if two_factor is None:
        two_factor = is_mfa_enabled(user)
    at = time.time() if signed_in_at is None else signed_in_at
    records = [{"method": "password", "at": at, "email": user.email}]
    if two_factor:
        records.append({"method": "mfa", "at": at, "type": "totp"})
    if reauthenticated:
        records.append({"method": "password", "at": time.time(), "reauthenticated": True})
    return {
        AUTHENTICATION_METHODS_SESSION_KEY: records,
        _AUTHENTICATION_METHODS_USER_SESSION_KEY: str(user.pk),
    }


class Client(DjangoClient):
    def force_login(
        self,
        user,
        backend=None,
        *,
        two_factor: bool | None = None,
        reauthenticated: bool = False,
        signed_in_at: float | None = None,
    ):
        super().force_login(user, backend)
        session = self.session
        session.update(
            authentication_records(
                user,
                two_factor=two_factor,
                reauthenticated=reauthenticated,
                signed_in_at=signed_in_at,
            )
        )
        session.save()
