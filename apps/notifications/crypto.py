"""Small secrets kept in the database (a one-time code until it is sent, the Zalo OA tokens) are sealed with a
key derived from SECRET_KEY, so a database dump or an admin page never shows them in clear.

The construction is the textbook one built only from the standard library: HMAC-SHA256 as a pseudo-random
function in counter mode under a random 16-byte nonce (a stream cipher), then encrypt-then-MAC with a second
derived key. Changing SECRET_KEY makes sealed values unreadable: pending codes expire anyway, and tokens are
then granted again by an OA administrator.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


class SealError(ValueError):
    pass


def _key(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"apps.notifications.crypto:{purpose}".encode(), "sha256").digest()


def _keystream(nonce: bytes, length: int) -> bytes:
    key = _key("stream")
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def seal(plaintext: str) -> str:
    data = plaintext.encode()
    nonce = secrets.token_bytes(16)
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(nonce, len(data)), strict=True))
    tag = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode()


def unseal(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except (ValueError, TypeError) as exc:
        raise SealError("not a sealed value") from exc
    if len(raw) < 32:
        raise SealError("not a sealed value")
    nonce, tag, cipher = raw[:16], raw[16:32], raw[32:]
    expected = hmac.new(_key("mac"), nonce + cipher, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, expected):
        raise SealError("sealed value was altered or SECRET_KEY changed")
    return bytes(a ^ b for a, b in zip(cipher, _keystream(nonce, len(cipher)), strict=True)).decode()
