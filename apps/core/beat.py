"""One Celery beat for the whole deployment, however many are started.

Every node may run `celery beat` (deploy/systemd/portal-beat.service): only the one holding a Redis lock schedules
periodic tasks; the others tick without scheduling anything and take over within LOCK_SECONDS when the holder stops
or loses Redis. The lock is a redis-py Lock (a random token, released only by its owner) renewed on every tick.
Configured in settings (CELERY_BEAT_SCHEDULER) whenever REDIS_URL is set.
"""

import logging

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "portal:celery-beat:lock"
LOCK_SECONDS = 60
# Ticks at least this often, so the lock is renewed well before it expires.
TICK_SECONDS = 10


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self._redis = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        self._lock = None
        self._standing_by = False
        super().__init__(*args, **kwargs)

    def holds_lock(self) -> bool:
        """Renew the lock if this beat holds it, otherwise try to take it. False when another beat holds it or
        Redis cannot be reached (no broker: nothing could be sent anyway)."""
        try:
            if self._lock is not None and self._lock.owned():
                self._lock.reacquire()
                return True
            lock = self._redis.lock(LOCK_KEY, timeout=LOCK_SECONDS, blocking=False)
            if lock.acquire(blocking=False):
                self._lock, self._standing_by = lock, False
                logger.info("beat: this beat schedules the periodic tasks (lock %s taken)", LOCK_KEY)
                return True
        except redis.RedisError as exc:
            logger.warning("beat: Redis unavailable, nothing scheduled: %s", exc)
        self._lock = None
        if not self._standing_by:
            self._standing_by = True
            logger.info("beat: another beat schedules the periodic tasks; standing by")
        return False

    def tick(self, *args, **kwargs):
        if not self.holds_lock():
            return TICK_SECONDS
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def close(self):
        try:
            if self._lock is not None and self._lock.owned():
                self._lock.release()
        except redis.RedisError:
            pass  # it expires by itself
        self._lock = None
        super().close()
