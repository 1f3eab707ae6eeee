"""What a citizen can trigger, limited per client: fixed-window counters in the cache (Redis when configured).

One mechanism for the whole portal (confirmation codes, lookups, reports, the message checker). When the cache
itself is down the limits fail open, and say so in the log: a citizen must never get an error page, or be locked
out, because Redis is restarting.
"""

import contextvars
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The citizen's address. Behind our TLS proxy (DJANGO_BEHIND_PROXY) REMOTE_ADDR is the proxy, and the client
    is the last address the proxy appended to X-Forwarded-For (earlier entries are whatever the client claims)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_fingerprint(client: str) -> str:
    """A client address as used in cache keys: a keyed hash, so not even the cache holds the address."""
    return hmac.new(settings.SECRET_KEY.encode(), (client or "unknown").encode(), hashlib.sha256).hexdigest()[:32]


# The request being served (set by apps.core.middleware.ClientMiddleware), for services whose budgets count per
# client address or per browser without every view having to pass them along (appointment holds, message ceilings).
_current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)
_current_client: contextvars.ContextVar[str] = contextvars.ContextVar("current_client", default="")


def current_client_set(client: str, request=None) -> tuple[contextvars.Token, contextvars.Token]:
    return _current_client.set(client), _current_request.set(request)


def current_client_reset(tokens: tuple[contextvars.Token, contextvars.Token]) -> None:
    _current_client.reset(tokens[0])
    _current_request.reset(tokens[1])


def current_client() -> str:
    """The address of the request being served ("" outside a request: a management command, a task, a test)."""
    return _current_client.get()


def current_session() -> str:
    """A keyed hash of the browser session of the request being served ("" outside a request); the session is
    created when the browser has none yet, so a browser that drops its cookies starts from nothing."""
    request = _current_request.get()
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if not session.session_key:
        session.save()
    return client_fingerprint("session:" + session.session_key)


def rate_limit_hit(*, key: str, limit: int, window: int) -> bool:
    """Count one hit on `key`; True while at most `limit` hits happened in the current `window` seconds."""
    cache_key = f"rl:{key}"
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
    if count > limit:
        from .metrics import refusal_count

        refusal_count(limit=key.split(":", 1)[0])
        return False
    return True


def rate_limit_once(*, key: str, seconds: int) -> bool:
    """True the first time in `seconds` (a minimum interval between two actions)."""
    try:
        first = bool(cache.add(f"rl-once:{key}", 1, timeout=seconds))
    except Exception:
        logger.warning("interval limit not enforced: cache unavailable", exc_info=True)
        return True
    if not first:
        from .metrics import refusal_count

        refusal_count(limit=key.split(":", 1)[0])
    return first


# --- Lockouts: failures counted per target (a code, an account), whatever the address they come from -----------
def lockout_is_locked(*, key: str, limit: int) -> bool:
    """True while `key` has had `limit` failures or more in its current window."""
    try:
        return int(cache.get(f"lock:{key}") or 0) >= limit
    except Exception:
        logger.warning("lockout %s not enforced: cache unavailable", key.split(":", 1)[0], exc_info=True)
        return False


def lockout_clear(*, key: str) -> None:
    """Forget the failures counted on `key` (the right answer was given)."""
    try:
        cache.delete(f"lock:{key}")
    except Exception:
        logger.warning("lockout %s not cleared: cache unavailable", key.split(":", 1)[0], exc_info=True)


def lockout_fail(*, key: str, window: int) -> int:
    """Count one failure on `key`; the window starts with the first failure. Returns the failures so far."""
    cache_key = f"lock:{key}"
    try:
        if cache.add(cache_key, 1, timeout=window):
            return 1
        try:
            return int(cache.incr(cache_key))
        except ValueError:
            cache.set(cache_key, 1, timeout=window)
            return 1
    except Exception:
        logger.warning("lockout %s not counted: cache unavailable", key.split(":", 1)[0], exc_info=True)
        return 0
