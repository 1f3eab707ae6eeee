"""A real Celery worker process, the real Redis broker, PostgreSQL shared between processes, and the fake
providers on 127.0.0.1: messages arrive, retries and fallbacks happen in the worker, nothing is lost when Redis
is down at submit time, the reminder goes out once. (Killing a worker: test_worker_kill.py.)"""

import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from apps.notifications.models import DeliveryAttempt, Kind, Notification, Outcome, Status

from .fakes import Scripted
from .realworker import broker_unreachable, confirm, status_of, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_confirmation_arrives(worker, worker_fakes):
    notification = confirm()
    wait_for(lambda: status_of(notification) == Status.SENT, what="the confirmation to be sent", logs=[worker])
    [delivered] = worker_fakes["zalo"].deliveries
    assert delivered["tracking_id"] == notification.idempotency_key
    assert delivered["template_data"]["reference"] == "Q4KM-7XPA-3"


def test_a_submitted_declarations_confirmation_arrives(worker, worker_fakes, demo_data):
    from apps.core.codes import code_format
    from apps.filings.models import Filing
    from tests.declarations.factories import booked_declaration

    booked_declaration()  # the journey's own submission: declaration, booking and message in one transaction
    declaration = Filing.objects.get()
    notification = Notification.objects.get(kind="filing_confirmed")
    assert notification.subject == declaration
    wait_for(lambda: status_of(notification) == Status.SENT, what="the declaration's confirmation", logs=[worker])
    # (The demo data's reports sent their own "report received" messages too.)
    deliveries = worker_fakes["zalo"].deliveries
    [delivered] = [d for d in deliveries if d["tracking_id"] == notification.idempotency_key]
    assert delivered["template_data"]["reference"] == code_format(declaration.code)
    assert delivered["phone"] == declaration.appointment.phone.lstrip("+")


def test_a_transient_5xx_is_retried_and_succeeds(worker, worker_fakes):
    zalo = worker_fakes["zalo"]
    zalo.script(Scripted(500, "Internal Server Error"), Scripted(503, "Service Unavailable"))
    notification = confirm()
    wait_for(lambda: status_of(notification) == Status.SENT, what="the retried send", logs=[worker])
    requests = zalo.requests
    # Every try carries the same tracking id. (A worker process that remembered an access token from an earlier
    # test is refused once with -124 and refreshes: one more request, same attempt.)
    assert len(requests) >= 3 and {r["tracking_id"] for r in requests} == {notification.idempotency_key}
    assert len(zalo.deliveries) == 1
    outcomes = list(DeliveryAttempt.objects.filter(notification=notification).values_list("outcome", flat=True))
    assert outcomes == [Outcome.TRANSIENT, Outcome.TRANSIENT, Outcome.SENT]


def test_an_invalid_number_falls_back_to_sms(worker, worker_fakes):
    worker_fakes["zalo"].state.invalid_phones.add("84987654321")
    notification = confirm(phone="0987 654 321")
    wait_for(lambda: status_of(notification) == Status.SENT, what="the SMS fallback", logs=[worker])
    assert not worker_fakes["zalo"].deliveries
    [sms] = worker_fakes["esms"].deliveries
    assert sms["Phone"] == "84987654321" and sms["RequestId"] == notification.idempotency_key
    assert Notification.objects.get(pk=notification.pk).channel == "sms"


def test_an_email_arrives_by_smtp(worker, worker_fakes):
    notification = confirm(phone=None, email="binh@example.vn", kind="report_received", context={"reference": "R2"})
    wait_for(lambda: status_of(notification) == Status.SENT, what="the e-mail", logs=[worker])
    [mail] = worker_fakes["smtp"].messages
    assert mail["to"] == ["binh@example.vn"] and notification.idempotency_key in mail["data"]


def test_redis_down_at_submit_loses_nothing(worker, worker_fakes):
    from apps.notifications.services import notification_requeue_due

    with broker_unreachable():
        started = time.monotonic()
        notification = confirm()  # commits; the hand-over fails and is only logged
        assert time.monotonic() - started < 10
    assert status_of(notification) == Status.QUEUED
    assert Notification.objects.get(pk=notification.pk).enqueued_at is None
    time.sleep(1)
    assert not worker_fakes["zalo"].requests
    # Redis is back; the periodic sweep finds the row and the worker sends it.
    assert notification_requeue_due(now=timezone.now() + timedelta(minutes=3)) == 1
    wait_for(lambda: status_of(notification) == Status.SENT, what="the swept message", logs=[worker])
    assert len(worker_fakes["zalo"].deliveries) == 1


def test_the_reminder_goes_out_once_even_if_beat_fires_twice(worker, worker_fakes):
    from apps.notifications.tasks import send_reminders

    from .factories import booked_appointment

    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment = booked_appointment(starts_at=timezone.make_aware(datetime.combine(tomorrow, datetime.min.time())))
    before = worker.log().count("notifications.send_reminders")
    # Beat fires twice; the worker's two processes run both jobs at the same time.
    send_reminders.delay()
    send_reminders.delay()
    wait_for(
        lambda: worker.log().count("notifications.send_reminders") >= before + 4,  # two received, two succeeded
        what="both reminder runs",
        logs=[worker],
    )
    reminders = Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    wait_for(lambda: reminders.filter(status=Status.SENT).exists(), what="the reminder", logs=[worker])
    assert reminders.count() == 1 and reminders.get().subject == appointment
    [delivered] = worker_fakes["zalo"].deliveries
    assert delivered["template_data"]["reference"] == appointment.reference
