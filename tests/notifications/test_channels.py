"""The real channel clients against fake-but-real providers on 127.0.0.1, delivering in-process."""

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.crypto import unseal
from apps.notifications.models import DeliveryAttempt, Notification, OutboxMessage, Outcome, Status, ZaloToken
from apps.notifications.services import notification_deliver, notification_requeue_due, zalo_token_refresh

from .fakes import Scripted

pytestmark = pytest.mark.django_db


def _send(send_confirmation, capture, **overrides):
    with capture(execute=True):
        notification = send_confirmation(**overrides)
    notification.refresh_from_db()
    return notification


def test_confirmation_goes_by_zns_with_a_refreshed_token(
    providers, send_confirmation, django_capture_on_commit_callbacks
):
    zalo = providers["zalo"]
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.SENT and notification.channel == "zns"
    [delivered] = zalo.deliveries
    assert delivered["phone"] == "84912345678"
    assert delivered["tracking_id"] == notification.idempotency_key
    assert delivered["template_id"].startswith("3")
    assert delivered["template_data"]["reference"] == "K7MX-3PQ9-R"
    # Exactly the parameters the approved template declares: this text's placeholders (no check_code since issue
    # 11.6: one code per message; ZNS templates are registered again without it, docs/zalo.md).
    wanted = {"name", "reference", "unit", "address", "date", "time", "url"}
    assert set(delivered["template_data"]) == wanted
    assert notification.provider_message_id == zalo.tracking[notification.idempotency_key]
    # The first token came from the bootstrap refresh token; the rotated pair is stored sealed.
    token = ZaloToken.objects.get()
    assert zalo.refreshes == 1
    assert unseal(token.refresh_token_sealed) == zalo.refresh_token
    assert zalo.refresh_token not in token.refresh_token_sealed
    assert not providers["esms"].requests and not OutboxMessage.objects.exists()


def test_transient_5xx_is_retried_later_with_the_same_tracking_id(
    providers, send_confirmation, django_capture_on_commit_callbacks
):
    zalo = providers["zalo"]
    zalo.script(Scripted(502, "Bad Gateway"))
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.QUEUED  # eager mode: recorded, no sleeping in the request
    assert notification.next_attempt_at > timezone.now()
    assert notification.channel_attempts == 1
    assert "HTTP 502" in notification.provider_answer
    # Not due yet: the sweep and a stray task leave it alone.
    assert notification_requeue_due() == 0
    later = notification.next_attempt_at + timedelta(minutes=3)
    with time_machine.travel(later):
        assert notification_requeue_due() == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 2
    assert [r["tracking_id"] for r in zalo.requests] == [notification.idempotency_key] * 2
    assert len(zalo.deliveries) == 1
    outcomes = list(DeliveryAttempt.objects.filter(notification=notification).values_list("outcome", flat=True))
    assert outcomes == [Outcome.TRANSIENT, Outcome.SENT]


def test_invalid_number_on_zalo_falls_back_to_sms(providers, send_confirmation, django_capture_on_commit_callbacks):
    zalo, esms = providers["zalo"], providers["esms"]
    zalo.state.invalid_phones.add("84912345678")
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.SENT and notification.channel == "sms"
    assert len(zalo.requests) == 1 and not zalo.deliveries
    [sms] = esms.deliveries
    assert sms["Phone"] == "84912345678" and sms["RequestId"] == notification.idempotency_key
    assert sms["SmsType"] == "2" and sms["Brandname"] == "CONGAN-Q4"
    assert sms["Content"].startswith("Cong an da nhan to khai can cuoc cua Nguyen Van An")  # no diacritics
    attempts = DeliveryAttempt.objects.filter(notification=notification)
    assert [(a.channel, a.outcome) for a in attempts] == [("zns", Outcome.PERMANENT), ("sms", Outcome.SENT)]
    assert '"error": -108' in attempts[0].provider_answer


def test_invalid_number_everywhere_is_a_permanent_failure_without_retries(
    providers, send_confirmation, django_capture_on_commit_callbacks
):
    providers["zalo"].state.invalid_phones.add("84912345678")
    providers["esms"].state.invalid_phones.add("84912345678")
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.PERMANENT_FAILURE
    assert notification.next_attempt_at is None
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert notification_requeue_due() == 0


def test_expired_access_token_is_refreshed_once_and_the_send_retried_once(
    providers, send_confirmation, django_capture_on_commit_callbacks
):
    zalo = providers["zalo"]
    _send(send_confirmation, django_capture_on_commit_callbacks)
    zalo.revoke_access_tokens()  # e.g. revoked by the OA administrator
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.SENT and notification.channel == "zns"
    assert zalo.refreshes == 2
    assert len(zalo.requests) == 3  # first message; second message refused (-124) then accepted
    assert unseal(ZaloToken.objects.get().refresh_token_sealed) == zalo.refresh_token


def test_refused_refresh_falls_back_to_sms_and_is_shown_to_operators(
    providers, send_confirmation, django_capture_on_commit_callbacks, caplog
):
    providers["zalo"].refresh_token = "someone-else-used-it"
    with caplog.at_level(logging.ERROR):
        notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.SENT and notification.channel == "sms"
    assert "Invalid refresh token" in ZaloToken.objects.get().last_error
    assert "operator must check" in caplog.text


def test_concurrent_refresh_uses_the_token_another_process_just_saved(providers):
    zalo = providers["zalo"]
    first = zalo_token_refresh()
    # A second process that was refused with an *older* token finds the fresh one and does not refresh again.
    assert zalo_token_refresh(stale_access_token="an-older-token") == first
    assert zalo.refreshes == 1


def test_transient_failures_end_as_a_technical_failure_after_the_retry_window(
    providers, send_confirmation, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_FALLBACK = {"filing_confirmed": ["zns"]}
    zalo = providers["zalo"]
    zalo.script(*[Scripted(200, {"error": -100, "message": "Unknown error"})] * 50)
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    start = timezone.now()
    for _ in range(40):
        notification.refresh_from_db()
        if notification.status != Status.QUEUED:
            break
        with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
            notification_deliver(notification_id=notification.pk)
    assert notification.status == Status.FAILED
    assert notification.failed_at - start >= timedelta(hours=2)  # retried for hours ...
    assert notification.failed_at - start <= timedelta(hours=4, minutes=1)  # ... within the window
    starts = list(notification.delivery_attempts.values_list("started_at", flat=True))
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert notification.attempts == len(starts) >= 6
    # Exponential backoff with jitter: each step at least half the doubled step before it, capped at 30 min.
    assert gaps[0] < timedelta(seconds=32) and max(gaps) <= timedelta(minutes=30, seconds=2)
    assert gaps[4] > gaps[0] * 4


def test_otp_falls_back_to_sms_at_once_when_zalo_is_down(providers, django_capture_on_commit_callbacks):
    from apps.notifications.services import otp_issue

    providers["zalo"].script(Scripted(503, "Service Unavailable"))
    with django_capture_on_commit_callbacks(execute=True):
        challenge = otp_issue(phone="0912345678", purpose="declaration", language="en", client="1.2.3.4")
    notification = Notification.objects.get(pk=challenge.notification_id)
    assert notification.status == Status.SENT and notification.channel == "sms"
    [sms] = providers["esms"].deliveries
    assert sms["Content"].startswith("Your confirmation code is ")
    assert notification.sealed_context == ""


def test_duplicate_request_id_at_the_sms_gateway_counts_as_sent(providers):
    from apps.notifications.channels import EsmsBackend

    backend = EsmsBackend()
    first = backend.send("+84912345678", "Xin chào", idempotency_key="abc123")
    again = backend.send("+84912345678", "Xin chào", idempotency_key="abc123")
    assert first.outcome == again.outcome == Outcome.SENT
    assert first.provider_message_id == again.provider_message_id
    assert len(providers["esms"].deliveries) == 1


def test_email_goes_through_a_real_smtp_server(providers, send_confirmation, django_capture_on_commit_callbacks):
    notification = _send(
        send_confirmation,
        django_capture_on_commit_callbacks,
        phone=None,
        email="an@example.vn",
        kind="report_answered",
        language="en",
        context={"reference": "R7KM3", "url": "https://cccd.example.vn/phan-anh/R7KM3/"},
    )
    assert notification.status == Status.SENT and notification.channel == "email"
    [mail] = providers["smtp"].messages
    assert mail["to"] == ["an@example.vn"]
    assert "Subject: Your report was answered" in mail["data"]
    assert notification.idempotency_key in mail["data"]  # in the Message-ID
    assert "R7KM3" in mail["data"]


def test_smtp_server_down_is_temporary(providers, send_confirmation, django_capture_on_commit_callbacks, settings):
    from .fakes import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens there
    notification = _send(send_confirmation, django_capture_on_commit_callbacks, phone=None, email="an@example.vn")
    assert notification.status == Status.QUEUED and notification.next_attempt_at is not None
    assert "ConnectionRefusedError" in notification.provider_answer


def test_provider_answers_never_contain_the_request(providers, django_capture_on_commit_callbacks):
    from apps.notifications.services import otp_issue

    with django_capture_on_commit_callbacks(execute=True):
        challenge = otp_issue(phone="0912345678", purpose="declaration", language="vi", client="1.2.3.4")
    code = providers["zalo"].deliveries[0]["template_data"]["code"]
    notification = Notification.objects.get(pk=challenge.notification_id)
    stored = json.dumps(
        [notification.provider_answer, notification.body, notification.context]
        + list(notification.delivery_attempts.values_list("provider_answer", flat=True))
    )
    assert code not in stored


def test_a_token_rotated_by_another_process_is_picked_up_without_another_refresh(
    providers, send_confirmation, django_capture_on_commit_callbacks
):
    import urllib.parse
    import urllib.request

    from apps.notifications.crypto import seal

    zalo = providers["zalo"]
    _send(send_confirmation, django_capture_on_commit_callbacks)  # this process now remembers token no. 1
    # Another worker refreshes: Zalo rotates the pair, that worker saves it in the row.
    form = urllib.parse.urlencode(
        {"app_id": zalo.app_id, "grant_type": "refresh_token", "refresh_token": zalo.refresh_token}
    ).encode()
    request = urllib.request.Request(zalo.oauth_url, data=form, headers={"secret_key": zalo.app_secret})
    with urllib.request.urlopen(request) as response:
        pair = json.loads(response.read())
    zalo.access_tokens.intersection_update({pair["access_token"]})
    ZaloToken.objects.update(
        access_token_sealed=seal(pair["access_token"]), refresh_token_sealed=seal(pair["refresh_token"])
    )
    notification = _send(send_confirmation, django_capture_on_commit_callbacks)
    assert notification.status == Status.SENT and notification.channel == "zns"
    assert zalo.refreshes == 2  # the first one and the other worker's: none by this process
    assert len(zalo.deliveries) == 2


def test_an_answer_after_a_takeover_does_not_overwrite_the_new_owner(providers, send_confirmation, monkeypatch):
    from django.db import models

    from apps.notifications.channels import channel_get

    notification = send_confirmation()  # not delivered yet: no on-commit capture
    real_send = channel_get("zns").__class__.send

    def slow_send(channel, message):
        # While this worker waits for Zalo, its lease runs out and another worker takes over and finishes.
        Notification.objects.filter(pk=message.notification_id).update(
            status=Status.SENT, attempts=models.F("attempts") + 1
        )
        return real_send(channel, message)

    monkeypatch.setattr(channel_get("zns").__class__, "send", slow_send)
    report = notification_deliver(notification_id=notification.pk)
    assert report.status == Status.SENT
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.provider_answer == ""
