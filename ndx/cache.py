"""A Redis cache that fails open: when Redis is unreachable, reads miss and writes are
skipped (with a warning in the log) instead of turning every page into a server error.

What lives in the cache here is derived or advisory (search generation keys and text
matches, rate-limit counters, allauth's sign-in throttles), so serving without it is safe;
sessions are in the database."""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _fallback(self, operation: str, exc: Exception, default):
        log.warning("cache unavailable during %s: %s", operation, exc)
        return default

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            return self._fallback("get", exc, default)

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            return self._fallback("set", exc, None)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            return self._fallback("add", exc, True)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            return self._fallback("incr", exc, delta)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            return self._fallback("delete", exc, False)

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
