"""Liveness and readiness for load balancers, orchestrators and monitoring.

* ``/healthz`` (liveness): the process answers. No database, no Redis: a node whose database is down must not be
  restarted for it, only taken out of the pool (that is readiness).
* ``/readyz`` (readiness): the database is required (503 without it). Redis down is "degraded" (200): pages still
  render from the database and messages wait in the outbox. The worker's heartbeat and the age of the oldest
  unsent message are shown so monitoring can alert on a stuck queue.

Both are answered by `HealthCheckMiddleware` before any other middleware, so the HTTPS redirect and the
ALLOWED_HOSTS check never get in the way of a probe that uses the node's own address over plain HTTP.
"""

import logging
import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

WORKER_HEARTBEAT_KEY = "core:worker-heartbeat"
# A worker's event loop fires the heartbeat every 2 s; writing the cache that often is pointless.
_HEARTBEAT_EVERY_SECONDS = 10.0
_last_written = 0.0


def worker_heartbeat_record(*, now: float | None = None) -> None:
    """Called in a Celery worker (signal `heartbeat_sent`): remember when a worker was last alive."""
    global _last_written
    now = time.time() if now is None else now
    if now - _last_written < _HEARTBEAT_EVERY_SECONDS:
        return
    _last_written = now
    cache.set(WORKER_HEARTBEAT_KEY, {"at": now, "host": socket.gethostname()}, timeout=24 * 3600)


def worker_heartbeat_age(*, now: float | None = None) -> float | None:
    """Seconds since a worker last reported, or None when none ever did (or the cache is down)."""
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    if not isinstance(beat, dict) or "at" not in beat:
        return None
    return max(0.0, (time.time() if now is None else now) - float(beat["at"]))


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readyz: database unavailable: %s", exc)
        return "error"
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError) as exc:
        logger.warning("readyz: redis unavailable: %s", exc)
        return "error"
    return "ok"


@dataclass(frozen=True)
class Readiness:
    status_code: int
    body: dict


def readiness() -> Readiness:
    database = check_database()
    redis_state = check_redis()
    body: dict = {"database": database, "redis": redis_state}
    degraded = redis_state == "error"

    if not settings.REDIS_URL:
        body["worker"] = {"status": "not configured", "last_seen_seconds": None}  # tasks run in-process
    else:
        age = worker_heartbeat_age()
        stale = age is None or age > settings.HEALTH_WORKER_STALE_SECONDS
        body["worker"] = {
            "status": "unknown" if age is None else ("stale" if stale else "ok"),
            "last_seen_seconds": None if age is None else round(age),
        }
        degraded = degraded or stale

    if database == "ok":
        from apps.notifications.selectors import notification_unsent_summary

        try:
            unsent = notification_unsent_summary()
        except DatabaseError as exc:
            logger.warning("readyz: outbox unavailable: %s", exc)
            unsent = None
        if unsent is not None:
            oldest = None if unsent.oldest_age is None else round(unsent.oldest_age.total_seconds())
            body["outbox"] = {"unsent": unsent.count, "oldest_unsent_seconds": oldest}
            degraded = degraded or (oldest is not None and oldest > settings.HEALTH_OUTBOX_STALE_SECONDS)

    if database != "ok":
        status, code = "error", 503
    elif degraded:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return Readiness(status_code=code, body={"status": status, **body})
