"""Shared test set-up.

Tests that need PostgreSQL or Redis use the real servers when DATABASE_URL / REDIS_URL are set
(CI sets them) and are skipped with a reason otherwise; with NDX_REQUIRE_SERVICES=1 (CI) a
missing server is a failure, not a skip. Browser tests likewise need Debian's chromium.
"""

import os

os.environ.setdefault("NDX_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# while a loop is running unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402

from ndx.celery import app as celery_app  # noqa: E402

pytest_plugins = ["tests.browser.fixtures", "tests.html_validity"]


@pytest.fixture
def client():
    """A test client whose force_login records how the person signed in (tests/auth.py)."""
    from tests.auth import Client

    return Client()


def _require(reason: str):
    if os.environ.get("NDX_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (NDX_REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture
def requires_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _require("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def requires_redis():
    if not settings.REDIS_URL:
        _require("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _eager_celery_by_default(request):
    """Tests run tasks in-process unless marked `redis`, which use the real broker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits live in the cache (Redis when REDIS_URL is set): start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
