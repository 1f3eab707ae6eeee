"""Per-client limits kept in the cache. The client key is a keyed hash of the address, so not even the cache
holds a reporter's IP address, and nothing about it is ever written to a report."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_hit(*, scope: str, client: str, limit: int, period: int) -> bool:
    """Count one attempt; True when the client is over `limit` attempts within `period` seconds."""
    key = f"reports:rl:{scope}:{client}"
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period)
        count = 1
    return count > limit
