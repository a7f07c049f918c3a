"""Ending a person's sessions, and the idle timeout.

Sessions live in the database (django.contrib.sessions). allauth's usersessions app records
the sessions it saw start (its list is what people see on "Your sessions"); a session that
started before it was installed, or that it did not record, is found by scanning the store
for the user's id. Both are ended, so a removed or suspended person is signed out everywhere
at once."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

LAST_SEEN_KEY = "ndx_last_seen"
# Write the last-seen time at most this often (seconds): not a database write per request.
LAST_SEEN_RESOLUTION = 60


def sessions_end_for(user, *, keep_session_key: str | None = None) -> int:
    """End every session of `user` (but `keep_session_key`). Returns how many were ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for tracked in UserSession.objects.filter(user=user):
        if tracked.session_key != keep_session_key:
            tracked.end()
            ended += 1
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            doomed.append(session.session_key)
    if doomed:
        Session.objects.filter(session_key__in=doomed).delete()
    return max(ended, len(doomed))


def idle_limit_seconds(user) -> int:
    if user.is_staff or user.is_superuser:
        return int(settings.NDX_IDLE_TIMEOUT_STAFF_SECONDS)
    return int(settings.NDX_IDLE_TIMEOUT_SECONDS)


def session_is_idle(request, *, now: float | None = None) -> bool:
    """True when the signed-in session has not been used for longer than the idle limit."""
    last = request.session.get(LAST_SEEN_KEY)
    now = time.time() if now is None else now
    return last is not None and now - float(last) > idle_limit_seconds(request.user)


def session_touch(request, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    last = request.session.get(LAST_SEEN_KEY)
    if last is None or now - float(last) >= LAST_SEEN_RESOLUTION:
        request.session[LAST_SEEN_KEY] = now
