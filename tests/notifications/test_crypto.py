"""Stored secrets are sealed with Fernet (cryptography); keys rotate without losing what is stored."""

import importlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from apps.notifications import services
from apps.notifications.crypto import SealError, derived_key, reseal, seal, unseal
from apps.notifications.models import ZaloToken

from .factories import NotificationFactory

OLD_DATA_KEY = "uJ7e3bsVw0cCk0dG1t8I3hH6Wq2m0zH7WwqkJm1W9mA="
NEW_DATA_KEY = "q1gCz2rVQmJ2kqL0bO1xYv9mA3b7c8d9e0f1g2h3i4k="


def test_a_sealed_value_is_a_fernet_token_that_opens_with_the_derived_key(settings):
    settings.DATA_ENCRYPTION_KEYS = []
    token = seal("refresh-abc")
    assert "refresh-abc" not in token
    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(token.encode()) == b"refresh-abc"
    assert unseal(token) == "refresh-abc"


def test_an_altered_token_is_refused(settings):
    token = seal("refresh-abc")
    altered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(SealError):
        unseal(altered)
    with pytest.raises(SealError):
        unseal("not a token")


def test_rotating_secret_key_keeps_sealed_values_readable(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-secret-key-" + "x" * 40, []
    token = seal("refresh-abc")
    settings.SECRET_KEY = "new-secret-key-" + "y" * 40
    with pytest.raises(SealError):
        unseal(token)  # without the fallback, the old key is gone
    settings.SECRET_KEY_FALLBACKS = ["old-secret-key-" + "x" * 40]
    assert unseal(token) == "refresh-abc"
    resealed = reseal(token)
    settings.SECRET_KEY_FALLBACKS = []
    assert unseal(resealed) == "refresh-abc"


def test_a_separate_data_key_seals_and_older_keys_still_open(settings):
    settings.DATA_ENCRYPTION_KEYS = []
    from_secret = seal("sealed-with-secret")
    settings.DATA_ENCRYPTION_KEYS = [OLD_DATA_KEY]
    from_old = seal("sealed-with-old")
    assert Fernet(OLD_DATA_KEY.encode()).decrypt(from_old.encode()) == b"sealed-with-old"
    settings.DATA_ENCRYPTION_KEYS = [NEW_DATA_KEY, OLD_DATA_KEY]
    from_new = seal("sealed-with-new")
    assert Fernet(NEW_DATA_KEY.encode()).decrypt(from_new.encode()) == b"sealed-with-new"
    assert [unseal(t) for t in (from_secret, from_old, from_new)] == [
        "sealed-with-secret",
        "sealed-with-old",
        "sealed-with-new",
    ]
    settings.DATA_ENCRYPTION_KEYS = [NEW_DATA_KEY]
    with pytest.raises(SealError):
        unseal(from_old)


@pytest.mark.django_db
def test_secrets_reseal_moves_every_stored_value_to_the_new_key(settings, capsys):
    settings.DATA_ENCRYPTION_KEYS = [OLD_DATA_KEY]
    notification = NotificationFactory(sealed_context=seal('{"code": "123456"}'))
    NotificationFactory(sealed_context="")
    services.zalo_token_store(access_token="access-1", refresh_token="refresh-1", expires_in=3600)
    lost = NotificationFactory(sealed_context=Fernet(Fernet.generate_key()).encrypt(b"x").decode())

    settings.DATA_ENCRYPTION_KEYS = [NEW_DATA_KEY, OLD_DATA_KEY]
    call_command("secrets_reseal")
    assert capsys.readouterr().out.strip() == "Re-sealed: 3; unreadable with the configured keys: 1"

    settings.DATA_ENCRYPTION_KEYS = [NEW_DATA_KEY]  # the old key is dropped after the re-seal
    notification.refresh_from_db()
    token = ZaloToken.objects.get()
    assert unseal(notification.sealed_context) == '{"code": "123456"}'
    assert unseal(token.access_token_sealed) == "access-1"
    assert unseal(token.refresh_token_sealed) == "refresh-1"
    lost.refresh_from_db()
    assert lost.sealed_context  # left as it was, never silently dropped


@pytest.mark.django_db
def test_the_migration_reseals_values_of_the_old_stream_cipher(settings):
    migration = importlib.import_module("apps.notifications.migrations.0005_reseal_with_fernet")
    # A value sealed by the former hand-written cipher (nonce, tag, cipher under keys derived from SECRET_KEY),
    # made here with the same construction.
    import base64
    import hashlib
    import hmac

    def legacy_seal(plaintext: str, secret: str) -> str:
        def key(purpose):
            return hmac.new(secret.encode(), f"apps.notifications.crypto:{purpose}".encode(), "sha256").digest()

        nonce = b"\x01" * 16
        data = plaintext.encode()
        stream = b"".join(
            hmac.new(key("stream"), nonce + c.to_bytes(8, "big"), hashlib.sha256).digest()
            for c in range((len(data) + 31) // 32)
        )
        cipher = bytes(a ^ b for a, b in zip(data, stream, strict=False))
        tag = hmac.new(key("mac"), nonce + cipher, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(nonce + tag + cipher).decode()

    settings.SECRET_KEY_FALLBACKS = ["retired-secret-" + "z" * 40]
    old = legacy_seal("refresh-token-from-2026-with-more-than-32-bytes", settings.SECRET_KEY)
    older = legacy_seal("refresh-older", "retired-secret-" + "z" * 40)
    fernet = seal("already-fernet")
    assert unseal(migration._convert(old)) == "refresh-token-from-2026-with-more-than-32-bytes"
    assert unseal(migration._convert(older)) == "refresh-older"
    assert migration._convert(fernet) == fernet
    assert migration._convert(legacy_seal("x", "unknown-" + "k" * 40)) == ""
    assert migration._convert("") == ""
