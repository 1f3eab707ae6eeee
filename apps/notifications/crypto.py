"""Small secrets kept in the database (a one-time code until it is sent, the Zalo OA tokens) are sealed, so a
database dump or an admin page never shows them in clear.

Sealing is Fernet from `cryptography` (AES-128-CBC with HMAC-SHA256, a timestamp and a version byte), through
MultiFernet so keys can rotate:

* ``DATA_ENCRYPTION_KEYS`` (env, comma-separated Fernet keys): the first key seals, every key opens. Rotate by
  putting a new key first, running ``manage.py secrets_reseal`` (re-seals every stored value with the new key),
  then dropping the old key.
* Without it, the keys are derived from ``SECRET_KEY`` and then each of ``SECRET_KEY_FALLBACKS``, so rotating
  SECRET_KEY the Django way (old key moved to the fallbacks) keeps every sealed value readable too. Keys derived
  from the secret keys are always tried last, so switching to a separate data key loses nothing either.
"""

import base64
import functools
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealError(ValueError):
    pass


def derived_key(secret: str) -> bytes:
    """A Fernet key derived from a Django secret key (for this purpose only)."""
    digest = hmac.new(secret.encode(), b"apps.notifications.crypto:fernet", "sha256").digest()
    return base64.urlsafe_b64encode(digest)


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def data_keys() -> tuple[bytes, ...]:
    """Every key that may open a sealed value, the one that seals first."""
    configured = [key.encode() for key in getattr(settings, "DATA_ENCRYPTION_KEYS", []) if key]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(dict.fromkeys([*configured, *(derived_key(secret) for secret in secrets if secret)]))


def seal(plaintext: str) -> str:
    return _multi_fernet(data_keys()).encrypt(plaintext.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _multi_fernet(data_keys()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError) as exc:
        raise SealError("sealed value was altered, or none of the configured keys opens it") from exc


def reseal(token: str) -> str:
    """The same value sealed with the current key (MultiFernet.rotate); raises SealError when no key opens it."""
    try:
        return _multi_fernet(data_keys()).rotate(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError) as exc:
        raise SealError("sealed value was altered, or none of the configured keys opens it") from exc
