"""Confirmation codes: 6 digits, 5 minutes, 5 wrong tries, stored only as a hash, rate-limited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.notifications.models import Notification, OtpChallenge, OutboxMessage, Status
from apps.notifications.services import RateLimited, otp_issue, otp_verify

pytestmark = pytest.mark.django_db


def _issue(django_capture_on_commit_callbacks, **overrides):
    arguments = {"phone": "0912345678", "purpose": "declaration", "language": "vi", "client": "203.0.113.7"}
    arguments.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = otp_issue(**arguments)
    body = OutboxMessage.objects.get(notification=challenge.notification).body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    return challenge, code


def test_code_is_sent_and_accepted_once(django_capture_on_commit_callbacks):
    challenge, code = _issue(django_capture_on_commit_callbacks)
    assert challenge.phone == "+84912345678"
    assert challenge.expires_at - challenge.created_at == timedelta(minutes=5)
    otp_verify(challenge=challenge, code=code)
    assert OtpChallenge.objects.get(pk=challenge.pk).verified_at is not None
    with pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code=code)
    assert excinfo.value.code == "used"


def test_code_is_stored_only_as_a_hash(django_capture_on_commit_callbacks):
    challenge, code = _issue(django_capture_on_commit_callbacks)
    notification = Notification.objects.get(pk=challenge.notification_id)
    assert notification.status == Status.SENT
    stored = [challenge.code_hash, notification.body, str(notification.context), notification.sealed_context]
    assert all(code not in value for value in stored)
    assert notification.sealed_context == ""  # the sealed copy is erased once sent
    assert "••••••" in notification.body


def test_wrong_codes_count_down_then_lock(django_capture_on_commit_callbacks):
    challenge, code = _issue(django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as excinfo:
            otp_verify(challenge=challenge, code=wrong)
        assert excinfo.value.code == "wrong"
        assert f"{left} " in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code=wrong)
    assert excinfo.value.code == "locked"
    with pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code=code)  # even the right code, once locked
    assert excinfo.value.code == "locked"


def test_code_expires_after_five_minutes(django_capture_on_commit_callbacks):
    challenge, code = _issue(django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    with time_machine.travel(later), pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code=code)
    assert excinfo.value.code == "expired"


def test_malformed_code_is_refused_without_counting(django_capture_on_commit_callbacks):
    challenge, _code = _issue(django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code="12ab")
    assert excinfo.value.code == "format"
    assert OtpChallenge.objects.get(pk=challenge.pk).failed_attempts == 0


def test_messages_are_translated(django_capture_on_commit_callbacks):
    from django.utils import translation

    challenge, code = _issue(django_capture_on_commit_callbacks)
    with translation.override("vi"), pytest.raises(ValidationError) as excinfo:
        otp_verify(challenge=challenge, code="000000" if code != "000000" else "111111")
    assert "Mã xác nhận không đúng" in excinfo.value.messages[0]


def test_resend_to_the_same_phone_waits_a_minute(django_capture_on_commit_callbacks):
    _issue(django_capture_on_commit_callbacks)
    with pytest.raises(RateLimited) as excinfo:
        _issue(django_capture_on_commit_callbacks)
    assert excinfo.value.code == "rate_limited"
    assert "less than a minute" in excinfo.value.messages[0] or "chưa đầy một phút" in excinfo.value.messages[0]


def test_hourly_cap_per_phone(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_OTP_RESEND_SECONDS = 0
    settings.NOTIFICATIONS_OTP_PER_PHONE_PER_HOUR = 3
    start = timezone.now()
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=minute * 2)):
            _issue(django_capture_on_commit_callbacks, client=f"10.0.0.{minute}")
    with pytest.raises(RateLimited):
        _issue(django_capture_on_commit_callbacks, client="10.0.0.9")
    # Other numbers are not affected.
    _issue(django_capture_on_commit_callbacks, phone="0987654321")


def test_cap_per_client(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_OTP_PER_CLIENT_PER_HOUR = 2
    _issue(django_capture_on_commit_callbacks, phone="0912000001")
    _issue(django_capture_on_commit_callbacks, phone="0912000002")
    with pytest.raises(RateLimited):
        _issue(django_capture_on_commit_callbacks, phone="0912000003")
    assert OtpChallenge.objects.count() == 2


def test_expired_code_message_is_not_sent_late(django_capture_on_commit_callbacks):
    from apps.notifications.services import notification_deliver

    with django_capture_on_commit_callbacks(execute=False):
        challenge = otp_issue(phone="0912345678", purpose="declaration", language="vi", client="1.2.3.4")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        notification_deliver(notification_id=challenge.notification_id)
    notification = Notification.objects.get(pk=challenge.notification_id)
    assert notification.status == Status.PERMANENT_FAILURE
    assert notification.sealed_context == ""
    assert not OutboxMessage.objects.exists()


def test_a_cache_outage_does_not_lock_citizens_out(django_capture_on_commit_callbacks, monkeypatch, caplog):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(cache, "add", down)
    challenge, code = _issue(django_capture_on_commit_callbacks)
    otp_verify(challenge=challenge, code=code)
    assert "not enforced: cache unavailable" in caplog.text


def test_challenge_lookup_tolerates_tampered_ids(django_capture_on_commit_callbacks):
    from apps.notifications.selectors import otp_challenge_get

    challenge, _code = _issue(django_capture_on_commit_callbacks)
    assert otp_challenge_get(challenge_id=str(challenge.pk)) == challenge
    assert otp_challenge_get(challenge_id="not-a-uuid") is None
    assert otp_challenge_get(challenge_id=None) is None
