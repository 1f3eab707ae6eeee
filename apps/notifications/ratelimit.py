"""Fixed-window counters in the cache (Redis when configured). When the cache itself is down, limits fail open
(and say so in the log): a citizen must not be locked out of the portal because Redis is restarting."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_fingerprint(client: str) -> str:
    """A client address as stored and used in cache keys: keyed hash, not the address itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()[:32]


def rate_limit_hit(*, key: str, limit: int, window: int) -> bool:
    """Count one hit on `key`; True while at most `limit` hits happened in the current `window` seconds."""
    cache_key = f"notifications:rl:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window):
            return True
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window)
            return True
    except Exception:
        logger.warning("rate limit %s not enforced: cache unavailable", key.split(":", 1)[0], exc_info=True)
        return True
    return count <= limit


def rate_limit_once(*, key: str, seconds: int) -> bool:
    """True the first time in `seconds` (a minimum interval between two actions)."""
    try:
        return bool(cache.add(f"notifications:once:{key}", 1, timeout=seconds))
    except Exception:
        logger.warning("interval limit not enforced: cache unavailable", exc_info=True)
        return True
