"""Django's Redis cache, made to fail soft: when Redis is unreachable (restarting, full, network), a read is a miss
and a write is skipped, with a warning in the log, so every page still renders from the database. Without this a
Redis outage would turn every cached page, and every rate limit, into a server error for citizens.

A skipped write must not leave a stale value behind once Redis answers again: a booking made during a short outage
bumps the availability version, and if that bump is lost every node would go on serving the old availability until
its TTL (minutes). So each key whose write failed is remembered (per process), and the first cache call that reaches
Redis again deletes those keys first: a version key then starts afresh and every node stops using what was cached
under the old one."""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# (key, version) pairs whose write was skipped; bounded, and cleared once deleted from Redis.
_lost_writes: set[tuple[str, int | None]] = set()
_lost_lock = threading.Lock()
_LOST_MAX = 10_000
# While Redis is still down, try the clean-up at most this often (each try may cost a connect timeout).
_RECOVER_EVERY_SECONDS = 1.0
_next_recover_at = 0.0


def _remember(keys, version) -> None:
    with _lost_lock:
        for key in keys:
            if len(_lost_writes) >= _LOST_MAX:
                logger.error("cache outage: too many skipped writes to remember, some cached values may be stale")
                return
            _lost_writes.add((key, version))


def _soft(default, *, writes: bool = False):
    def decorator(method):
        def wrapper(self, *args, **kwargs):
            self._recover()
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                logger.warning("cache unavailable, %s skipped: %s", method.__name__, exc)
                if writes and args:
                    first = args[0]
                    keys = list(first) if isinstance(first, dict | list | tuple | set) else [first]
                    _remember(keys, kwargs.get("version"))
                return default() if callable(default) else default

        wrapper.__name__ = method.__name__
        return wrapper

    return decorator


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call (about 170 response callbacks registered
    each time, a tenth of a millisecond of Python: a booking makes six calls). A `redis.Redis` over a connection
    pool is safe to share between threads, and the pool reconnects in a forked process, so one per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _recover(self) -> None:
        """Delete the keys whose writes were lost, once Redis answers again (a no-op while nothing was lost)."""
        global _next_recover_at
        if not _lost_writes or time.monotonic() < _next_recover_at:
            return
        with _lost_lock:
            pending = list(_lost_writes)
        by_version: dict[int | None, list[str]] = {}
        for key, version in pending:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                RedisCache.delete_many(self, keys, version=version)
        except (RedisError, OSError):
            _next_recover_at = time.monotonic() + _RECOVER_EVERY_SECONDS  # still down: try again shortly
            return
        with _lost_lock:
            _lost_writes.difference_update(pending)
        logger.warning("cache reachable again: %d keys whose writes were skipped were deleted", len(pending))

    def get(self, key, default=None, version=None):
        self._recover()
        try:
            return super().get(key, default, version)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, get skipped: %s", exc)
            return default

    get_many = _soft(dict)(RedisCache.get_many)
    set = _soft(None, writes=True)(RedisCache.set)
    set_many = _soft(list, writes=True)(RedisCache.set_many)
    # "Added" when the cache is down: callers that use add() as a lock or a counter then let the citizen through.
    add = _soft(True, writes=True)(RedisCache.add)
    touch = _soft(False, writes=True)(RedisCache.touch)
    delete = _soft(False, writes=True)(RedisCache.delete)
    delete_many = _soft(None, writes=True)(RedisCache.delete_many)
    has_key = _soft(False)(RedisCache.has_key)
    clear = _soft(False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        self._recover()
        try:
            return super().incr(key, delta, version)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, incr skipped: %s", exc)
            _remember([key], version)
            # What Django raises for a missing key: callers already handle it (counters restart, limits open).
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from exc
