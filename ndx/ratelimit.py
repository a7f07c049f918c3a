"""Rate limits for endpoints people could hammer: search, reviews, competition responses.

A fixed window per user (or per IP address for anonymous visitors), counted in the cache
(Redis in production, shared by every web process). Over the limit: a 429 page saying when
to try again. Rates come from settings.NDX_RATE_LIMITS, e.g. {"search": "120/m"}."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period]


def client_address(request) -> str:
    """The visitor's address. Behind a trusted proxy (NDX_TRUST_PROXY), the address the
    proxy added: NDX_TRUST_PROXY_HOPS entries from the RIGHT of X-Forwarded-For (each proxy
    appends the address it saw). The left-most entries are whatever the client wrote, so they
    are never used; a header with fewer entries than hops falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not settings.NDX_TRUST_PROXY:
        return remote
    hops = max(1, int(getattr(settings, "NDX_TRUST_PROXY_HOPS", 1)))
    entries = [
        item.strip()
        for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if item.strip()
    ]
    if len(entries) < hops:
        return remote
    return entries[-hops]


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request)}"


def hit(scope: str, key: str) -> tuple[bool, int]:
    """Count one request; returns (allowed, seconds until the window resets)."""
    rate = settings.NDX_RATE_LIMITS.get(scope)
    if not rate:
        return True, 0
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"ndx:rl:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=period + 1)
            count = 1
    retry_after = period - int(time.time() % period)
    return count <= limit, retry_after


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)):
    """Limit a view for the given HTTP methods (GET too for search)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                allowed, retry_after = hit(scope, client_key(request))
                if not allowed:
                    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
