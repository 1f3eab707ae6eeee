"""Issue 12.3: paid messages have ceilings per phone, browser session, client address, booking and per day, each
configurable; a ceiling reached is shown to officers; windows expire."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from apps.notifications.models import CeilingTrip, Notification, OtpChallenge, OutboxMessage, Status
from apps.notifications.services import RateLimited, otp_issue, otp_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_cache(settings):
    """The windows are an hour long: travelled in time with the process cache (the Redis mechanism's own expiry is
    tested in tests/core/test_ratelimit.py)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ceil"}}
    cache.clear()
    yield
    cache.clear()


def _issue(capture, **overrides):
    arguments = {
        "phone": "0912345678",
        "purpose": "declaration",
        "language": "vi",
        "client": "203.0.113.7",
        "session": "browser-1",
    }
    arguments.update(overrides)
    with capture(execute=True):
        return otp_issue(**arguments)


def _code(challenge):
    body = OutboxMessage.objects.get(notification=challenge.notification).body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_per_session_ceiling_and_its_window(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_OTP_PER_SESSION_PER_HOUR = 3
    start = time_machine.travel("2026-12-01 08:00 +07:00", tick=False)
    with start as traveller:
        for n in range(3):
            _issue(django_capture_on_commit_callbacks, phone=f"091200000{n}", client=f"198.51.100.{n}")
        with pytest.raises(RateLimited):
            _issue(django_capture_on_commit_callbacks, phone="0912000009", client="198.51.100.9")
        assert CeilingTrip.objects.get(scope="session", kind="otp").count == 1
        # Another browser on the same network is not affected.
        _issue(django_capture_on_commit_callbacks, phone="0912000008", session="browser-2")
        traveller.shift(timedelta(minutes=61))
        _issue(django_capture_on_commit_callbacks, phone="0912000007")
    assert OtpChallenge.objects.count() == 5


def test_a_shared_address_does_not_block_a_citizen_who_confirmed_before(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_OTP_PER_CLIENT_PER_HOUR = 2
    settings.NOTIFICATIONS_OTP_RESEND_SECONDS = 0
    with time_machine.travel("2026-12-01 08:00 +07:00", tick=False) as traveller:
        # A parent confirms a code from the café's Wi-Fi.
        from apps.core.ratelimit import current_client_reset, current_client_set

        class _Session:
            session_key = "parent-session"

            def save(self):
                pass

        class _Request:
            session = _Session()

        tokens = current_client_set("203.0.113.7", _Request())
        try:
            challenge = _issue(django_capture_on_commit_callbacks, session=None)
            otp_verify(challenge=challenge, code=_code(challenge))
        finally:
            current_client_reset(tokens)
        # Someone else behind the same address uses up its budget with throw-away browsers.
        _issue(django_capture_on_commit_callbacks, phone="0912000001", session="bot-1")
        with pytest.raises(RateLimited):
            _issue(django_capture_on_commit_callbacks, phone="0912000002", session="bot-2")
        assert CeilingTrip.objects.get(scope="client").count == 1
        # The parent, who confirmed a code before, still gets one for the next child's filing.
        tokens = current_client_set("203.0.113.7", _Request())
        try:
            traveller.shift(timedelta(minutes=2))
            _issue(django_capture_on_commit_callbacks, phone="0912345678", session=None)
        finally:
            current_client_reset(tokens)
        # After the window, the address may ask again.
        traveller.shift(timedelta(minutes=61))
        _issue(django_capture_on_commit_callbacks, phone="0912000003", session="bot-3")


def test_global_daily_ceiling_per_kind(django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATIONS_DAILY_CAP = {"otp": 2}
    with time_machine.travel("2026-12-01 23:00 +07:00", tick=False) as traveller:
        _issue(django_capture_on_commit_callbacks, phone="0912000001", session="a", client="198.51.100.1")
        _issue(django_capture_on_commit_callbacks, phone="0912000002", session="b", client="198.51.100.2")
        with pytest.raises(RateLimited) as caught:
            _issue(django_capture_on_commit_callbacks, phone="0912000003", session="c", client="198.51.100.3")
        assert "tomorrow" in str(caught.value.messages[0]) or "ngày mai" in caught.value.messages[0]
        assert CeilingTrip.objects.get(scope="global", kind="otp").count == 1
        traveller.shift(timedelta(hours=2))  # the next day in Vietnam
        _issue(django_capture_on_commit_callbacks, phone="0912000003", session="c", client="198.51.100.3")


def test_other_kinds_past_the_daily_ceiling_are_kept_unsent(send_confirmation, settings):
    settings.NOTIFICATIONS_DAILY_CAP = {"filing_confirmed": 1}
    first = send_confirmation()
    second = send_confirmation()
    assert (first.status, second.status) == (Status.QUEUED, Status.CAPPED)
    assert CeilingTrip.objects.get(scope="global", kind="filing_confirmed").count == 1


def test_moves_and_cancellations_per_booking(django_capture_on_commit_callbacks, settings):
    from apps.notifications.services import notification_send

    settings.NOTIFICATIONS_PER_BOOKING_PER_DAY = 3
    subject = OtpChallenge.objects.create(phone="+84912345678", purpose="x", expires_at="2030-01-01T00:00Z")
    other = OtpChallenge.objects.create(phone="+84912345678", purpose="y", expires_at="2030-01-01T00:00Z")
    context = {"name": "A", "reference": "R", "unit": "U", "address": "X", "date": "d", "time": "t"}
    sent = [
        notification_send(
            kind="appointment_moved", language="vi", context=context, phone="0912345678", subject=subject
        ).status
        for _ in range(4)
    ]
    assert sent == [Status.QUEUED, Status.QUEUED, Status.QUEUED, Status.CAPPED]
    assert (
        notification_send(kind="appointment_cancelled", language="vi", context=context, phone="0912345678",
                          subject=subject).status
        == Status.CAPPED
    )  # fmt: skip
    assert (
        notification_send(kind="appointment_moved", language="vi", context=context, phone="0912345678",
                          subject=other).status
        == Status.QUEUED
    )  # fmt: skip
    assert sum(CeilingTrip.objects.filter(scope="booking").values_list("count", flat=True)) == 2
    assert Notification.objects.filter(status=Status.CAPPED, enqueued_at__isnull=False).count() == 0


def test_the_dashboard_shows_a_ceiling_reached(admin_client, send_confirmation, settings):
    settings.NOTIFICATIONS_DAILY_CAP = {"filing_confirmed": 0}
    send_confirmation()
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "ceiling-alerts" in page
    assert "Toàn cổng, theo ngày" in page or "Whole portal, per day" in page
