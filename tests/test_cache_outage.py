"""With Redis unreachable, pages still serve: the cache fails open."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from ndx.cache import ResilientRedisCache

pytestmark = pytest.mark.django_db

DEAD = {
    "default": {
        "BACKEND": "ndx.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_operations_fall_back_when_redis_is_unreachable():
    cache = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    assert cache.get("x", "default") == "default"
    assert cache.set("x", 1) is None
    assert cache.add("x", 1) is True
    assert cache.incr("x") == 1
    assert cache.get_many(["x"]) == {}


@override_settings(CACHES=DEAD)
def test_pages_serve_without_redis(client):
    caches._settings = None  # noqa: SLF001 - pick up the overridden CACHES
    for url in ["/", "/catalogue/", "/catalogue/?q=payroll", "/accounts/login/"]:
        assert client.get(url).status_code == 200, url
    response = client.post("/accounts/login/", {"login": "x@example.gov.uk", "password": "wrong"})
    assert response.status_code == 200
