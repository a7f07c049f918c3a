"""A Redis cache that fails open: when Redis is unreachable, reads miss and writes are
skipped (with a warning in the log) instead of turning every page into a server error.

What lives in the cache here is derived (search generation keys and text matches), so
serving without it is safe; sessions are in the database. Rate-limit counters are the
exception: failing open would stop every limit counting (ours, `ndx:rl:...`, and allauth's
sign-in limits, `allauth:rl:...`), so during an outage those keys are counted in a local,
per-process memory cache instead. Limits are then per web process (a little looser than
shared ones) but never off; /healthz says "ratelimits": "local fallback" meanwhile."""

from __future__ import annotations

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


# Keys that count something a limit depends on: kept locally while Redis is down.
COUNTER_PREFIXES = ("ndx:rl:", "allauth:rl:")

_local_counters = LocMemCache("ndx-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def is_counter(key) -> bool:
    return isinstance(key, str) and key.startswith(COUNTER_PREFIXES)


def local_counters() -> LocMemCache:
    """This process's fallback store for rate-limit counters (tests inspect it)."""
    return _local_counters


class ResilientRedisCache(RedisCache):
    def _fallback(self, operation: str, exc: Exception, default):
        log.warning("cache unavailable during %s: %s", operation, exc)
        return default

    def _counter_fallback(self, operation: str, exc: Exception, key, *args, **kwargs):
        """A rate-limit key during an outage: the same operation on the local store."""
        log.warning("cache unavailable during %s, counting %s locally: %s", operation, key, exc)
        return getattr(_local_counters, operation)(key, *args, **kwargs)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            if is_counter(key):
                return self._counter_fallback("get", exc, key, default, version)
            return self._fallback("get", exc, default)

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            if is_counter(key):
                return self._counter_fallback(
                    "set", exc, key, value, self._local_timeout(timeout), version
                )
            return self._fallback("set", exc, None)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            if is_counter(key):
                return self._counter_fallback(
                    "add", exc, key, value, self._local_timeout(timeout), version
                )
            return self._fallback("add", exc, True)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            if is_counter(key):
                try:
                    return self._counter_fallback("incr", exc, key, delta, version)
                except ValueError:  # not counted locally yet (Redis failed mid-window)
                    _local_counters.add(key, delta, self._local_timeout(None), version)
                    return delta
            return self._fallback("incr", exc, delta)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            if is_counter(key):
                return self._counter_fallback("delete", exc, key, version)
            return self._fallback("delete", exc, False)

    def _local_timeout(self, timeout):
        from django.core.cache.backends.base import DEFAULT_TIMEOUT

        return self.default_timeout if timeout in (None, DEFAULT_TIMEOUT) else timeout

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as exc:
            return self._fallback("get_many", exc, {})

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as exc:
            return self._fallback("set_many", exc, list(data))

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as exc:
            return self._fallback("has_key", exc, False)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as exc:
            return self._fallback("touch", exc, False)

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as exc:
            return self._fallback("clear", exc, False)
