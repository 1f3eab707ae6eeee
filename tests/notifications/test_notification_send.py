"""notification_send: an outbox row in the caller's transaction, delivered after commit (embedded default)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.notifications import tasks
from apps.notifications.models import DeliveryAttempt, Notification, OutboxMessage, Status
from apps.notifications.services import notification_requeue_due

pytestmark = pytest.mark.django_db


def test_row_is_written_in_the_callers_transaction_and_sent_after_commit(
    send_confirmation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = send_confirmation()
        assert Notification.objects.get(pk=notification.pk).status == Status.QUEUED
        assert not OutboxMessage.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.channel == "outbox"
    assert notification.attempts == 1
    assert notification.sent_at is not None
    outbox = OutboxMessage.objects.get(notification=notification)
    assert outbox.recipient == "+84912345678"
    assert "K7MX-3PQ9-R" in outbox.body and "Công an Phường Xóm Chiếu" in outbox.body
    assert outbox.subject == "Xác nhận tờ khai căn cước"


def test_rolled_back_transaction_sends_nothing(send_confirmation, django_capture_on_commit_callbacks):
    def declare():
        with transaction.atomic():
            send_confirmation()
            raise RuntimeError("the declaration failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        declare()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_message_is_rendered_in_the_citizens_language_with_one_code(
    send_confirmation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send_confirmation(language="en")
    body = OutboxMessage.objects.get(notification=notification).body
    assert body == (
        "The police received the identity card declaration of Nguyễn Văn An, filing code K7MX-3PQ9-R. Please come "
        "to Công an Phường Xóm Chiếu, 4 Xóm Chiếu at 08:30 on 02/12/2026. Your filing: https://cccd.example.vn/tra-cuu/"
    )
    # The row's own short code stays for officers (admin search), never in the text (issue 11.6).
    assert notification.verification_code and notification.verification_code[:4] not in body
    assert len(notification.idempotency_key) <= 48


def test_each_message_gets_its_own_keys(send_confirmation):
    first, second = send_confirmation(), send_confirmation()
    assert first.idempotency_key != second.idempotency_key
    assert first.verification_code != second.verification_code


def test_invalid_phone_and_missing_recipient_are_refused(send_confirmation):
    with pytest.raises(ValidationError) as excinfo:
        send_confirmation(phone="12345")
    assert excinfo.value.code == "invalid_phone"
    with pytest.raises(ValidationError):
        send_confirmation(phone=None)
    with pytest.raises(ValidationError):
        send_confirmation(context={"when": timezone.now()})
    with pytest.raises(ValidationError):
        send_confirmation(kind="birthday")


def test_email_only_message_goes_to_the_outbox(send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send_confirmation(
            phone=None, email="an@example.vn", kind="report_received", context={"reference": "ABC"}
        )
    assert OutboxMessage.objects.get(notification=notification).recipient == "an@example.vn"


def test_dedup_key_sends_once(send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send_confirmation(dedup_key="confirmation:42")
        second = send_confirmation(dedup_key="confirmation:42")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_subject_is_linked(send_confirmation):
    from tests.units.factories import WardUnitFactory

    unit = WardUnitFactory()
    notification = send_confirmation(subject=unit)
    assert Notification.objects.get(pk=notification.pk).subject == unit


def test_a_sent_message_is_never_sent_again(send_confirmation, django_capture_on_commit_callbacks):
    from apps.notifications.services import notification_deliver

    with django_capture_on_commit_callbacks(execute=True):
        notification = send_confirmation()
    assert notification_deliver(notification_id=notification.pk) is None
    tasks.deliver_notification.delay(notification.pk)
    assert DeliveryAttempt.objects.filter(notification=notification).count() == 1


def test_broker_down_at_submit_commits_and_the_sweep_sends_later(
    send_confirmation, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_notification, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notification = send_confirmation()  # must not raise into the caller
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED
    assert notification.enqueued_at is None
    assert "the sweep will send it" in caplog.text
    # Right away the sweep leaves it alone (its hand-over may still be on the way) ...
    assert notification_requeue_due() == 0
    # ... a couple of minutes later the sweep hands it over, and it is delivered.
    assert notification_requeue_due(now=timezone.now() + timedelta(minutes=3)) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert OutboxMessage.objects.filter(notification=notification).count() == 1


def test_resend_makes_a_new_message(send_confirmation, django_capture_on_commit_callbacks):
    from apps.notifications.services import notification_resend

    with django_capture_on_commit_callbacks(execute=True):
        original = send_confirmation()
        copy = notification_resend(notification=original)
    assert copy.pk != original.pk and copy.resent_from == original
    assert copy.context == original.context
    copy.refresh_from_db()
    assert copy.status == Status.SENT


def test_a_crash_during_delivery_never_reaches_the_caller(
    send_confirmation, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.notifications.services import delivery

    def broken(notification):
        raise RuntimeError("template engine exploded")

    with monkeypatch.context() as patched:
        patched.setattr(delivery, "_build_message", broken)
        with django_capture_on_commit_callbacks(execute=True):
            notification = send_confirmation()  # no exception here
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED
    assert notification_requeue_due(now=timezone.now() + timedelta(minutes=3)) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT
