"""A Redis cache that may fail open: while Redis is down it answers as if empty."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    """Share throttle counts and kept API bodies across web processes; never fail a request
    because Redis is away.

    Redis may restart empty at any time (it keeps no state we cannot lose). A throttle that
    cannot count for a moment lets the request through, and a body that cannot be read is
    rendered again, rather than answering 500.
    """

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, reading nothing: %s", exc)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, keeping nothing: %s", exc)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, keeping nothing: %s", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, deleting nothing: %s", exc)
            return False
