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


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.NDX_TRUST_PROXY else ""
    address = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "unknown")
    return f"ip:{address}"


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
