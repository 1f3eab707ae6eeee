"""Zalo OA webhook signature: X-ZEvent-Signature = "mac=" + sha256(app_id + raw_body + timestamp + OA secret key).

Plain SHA-256 of the concatenation (not HMAC), over the exact bytes received, with the `timestamp` from the
body (see /work/shared/reference/zalo-api.md §3.3). Without configured credentials every event is refused.
"""

import hashlib
import hmac
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def signature_expected(*, raw_body: bytes, timestamp: str) -> str:
    payload = settings.ZALO_APP_ID.encode() + raw_body + timestamp.encode() + settings.ZALO_OA_SECRET_KEY.encode()
    return hashlib.sha256(payload).hexdigest()


def signature_is_valid(*, raw_body: bytes, timestamp: str, header: str) -> bool:
    if not settings.ZALO_APP_ID or not settings.ZALO_OA_SECRET_KEY:
        logger.error("Zalo webhook: ZALO_APP_ID / ZALO_OA_SECRET_KEY are not configured; event refused")
        return False
    received = header.strip()
    if received.lower().startswith("mac="):
        received = received[4:]
    expected = signature_expected(raw_body=raw_body, timestamp=timestamp)
    return hmac.compare_digest(received.strip().lower().encode(), expected.encode())
