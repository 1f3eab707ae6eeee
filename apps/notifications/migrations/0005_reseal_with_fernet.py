"""Re-seal the stored secrets (pending one-time codes, Zalo OA tokens) with Fernet.

Until now they were sealed by a hand-written HMAC-SHA256 stream cipher keyed by SECRET_KEY. Its decoder lives
only here, so the project no longer carries home-made cryptography at run time. A value neither SECRET_KEY nor
a fallback opens is cleared (a one-time code expires within minutes anyway; a lost Zalo token is granted again
with `manage.py zalo_token_set`).
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import migrations


def _legacy_unseal(token: str, secret: str) -> str | None:
    def key(purpose: str) -> bytes:
        return hmac.new(secret.encode(), f"apps.notifications.crypto:{purpose}".encode(), "sha256").digest()

    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except (ValueError, TypeError):
        return None
    if len(raw) < 32:
        return None
    nonce, tag, cipher = raw[:16], raw[16:32], raw[32:]
    if not hmac.compare_digest(tag, hmac.new(key("mac"), nonce + cipher, hashlib.sha256).digest()[:16]):
        return None
    stream_key = key("stream")
    stream = b"".join(
        hmac.new(stream_key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        for counter in range((len(cipher) + 31) // 32)
    )
    try:
        return bytes(a ^ b for a, b in zip(cipher, stream, strict=False)).decode()
    except UnicodeDecodeError:
        return None


def _convert(value: str) -> str:
    from apps.notifications.crypto import SealError, seal, unseal

    if not value:
        return value
    try:
        unseal(value)
        return value  # already Fernet
    except SealError:
        pass
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        plaintext = _legacy_unseal(value, secret)
        if plaintext is not None:
            return seal(plaintext)
    return ""


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ZaloToken = apps.get_model("notifications", "ZaloToken")
    for row in Notification.objects.exclude(sealed_context="").only("pk", "sealed_context").iterator():
        Notification.objects.filter(pk=row.pk).update(sealed_context=_convert(row.sealed_context))
    for token in ZaloToken.objects.all():
        token.access_token_sealed = _convert(token.access_token_sealed)
        token.refresh_token_sealed = _convert(token.refresh_token_sealed)
        token.save(update_fields=["access_token_sealed", "refresh_token_sealed"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_procedure_booked")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
