"""Django's Redis cache, made to fail soft: when Redis is unreachable (restarting, full, network), a read is a miss
and a write is skipped, with a warning in the log, so every page still renders from the database. Without this a
Redis outage would turn every cached page, and every rate limit, into a server error for citizens."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _soft(default):
    def decorator(method):
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                logger.warning("cache unavailable, %s skipped: %s", method.__name__, exc)
                return default() if callable(default) else default

        wrapper.__name__ = method.__name__
        return wrapper

    return decorator


class FailSoftRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, get skipped: %s", exc)
            return default

    get_many = _soft(dict)(RedisCache.get_many)
    set = _soft(None)(RedisCache.set)
    set_many = _soft(list)(RedisCache.set_many)
    # "Added" when the cache is down: callers that use add() as a lock or a counter then let the citizen through.
    add = _soft(True)(RedisCache.add)
    touch = _soft(False)(RedisCache.touch)
    delete = _soft(False)(RedisCache.delete)
    delete_many = _soft(None)(RedisCache.delete_many)
    has_key = _soft(False)(RedisCache.has_key)
    clear = _soft(False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, incr skipped: %s", exc)
            # What Django raises for a missing key: callers already handle it (counters restart, limits open).
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from exc
