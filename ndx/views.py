"""Site-wide pages: home, information pages, health check and error pages."""

import sys
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def home(request):
    return render(request, "pages/home.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")


def cookies(request):
    return render(request, "pages/cookies.html")


def privacy(request):
    context = {
        "retention_years": settings.NDX_ACCOUNT_RETENTION_DAYS // 365,
        "idle_hours": settings.NDX_IDLE_TIMEOUT_SECONDS // 3600,
        "staff_idle_minutes": settings.NDX_IDLE_TIMEOUT_STAFF_SECONDS // 60,
    }
    return render(request, "pages/privacy.html", context)


@require_GET
def security_txt(request):
    """RFC 9116 disclosure file: where to report a vulnerability, and until when this holds."""
    expires = settings.NDX_SECURITY_TXT_EXPIRES or (
        timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        + timedelta(days=settings.NDX_SECURITY_TXT_DAYS)
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [f"Contact: {contact}" for contact in settings.NDX_SECURITY_CONTACTS]
    lines.append(f"Expires: {expires}")
    if settings.NDX_SECURITY_POLICY:
        lines.append(f"Policy: {settings.NDX_SECURITY_POLICY}")
    lines.append(f"Preferred-Languages: {settings.NDX_SECURITY_LANGUAGES}")
    lines.append(f"Canonical: {settings.SITE_URL}/.well-known/security.txt")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not usable
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(v in ("ok", "not configured") for v in checks.values())
    if settings.REDIS_URL:
        # Where rate limits count: in Redis, or in each process while Redis is unreachable
        # (ndx/cache.py). The outbox is only reported: the worker and beat send it.
        from .outbox import outbox_waiting

        checks["ratelimits"] = "shared" if checks["redis"] == "ok" else "local fallback"
        if checks["database"] == "ok":
            try:
                checks["outbox"] = f"{outbox_waiting()} waiting"
            except DatabaseError as exc:  # e.g. not migrated yet
                checks["outbox"] = f"error: {exc.__class__.__name__}"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # The database unreachable (restarting, failing over) is temporary: say so with a 503
    # and Retry-After, so clients and load balancers retry instead of giving up.
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    try:
        return render(request, "500.html", status=500)
    except Exception:  # e.g. the database is down: render without per-user navigation
        return HttpResponseServerError(render_to_string("500.html"))
