"""A real Celery worker process, the real Redis broker, PostgreSQL shared between processes, and the fake
providers on 127.0.0.1: the delivery guarantees hold with real process semantics (a worker can be SIGKILLed)."""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.notifications.models import DeliveryAttempt, Notification, Outcome, Status
from config.celery import app as celery_app

from .conftest import provider_environment
from .fakes import FakeEsms, FakeSmtp, FakeZalo, Scripted
from .workers import WorkerProcess, worker_environment

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, *, timeout: float = 30, what: str = "condition", logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    details = "\n".join(worker.log()[-4000:] for worker in logs)
    pytest.fail(f"timed out waiting for {what}\n{details}")


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def fakes():
    zalo, esms, smtp = FakeZalo().start(), FakeEsms().start(), FakeSmtp().start()
    yield {"zalo": zalo, "esms": esms, "smtp": smtp}
    zalo.stop()
    esms.stop()
    smtp.stop()


@pytest.fixture
def real_broker(settings):
    """This process publishes to the real Redis instead of running tasks in-process."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def start_worker(fakes, real_broker, templates_with_zns_ids, tmp_path, settings):
    for fake in (fakes["zalo"], fakes["esms"]):
        fake.reset()
    fakes["smtp"].messages.clear()
    started: list[WorkerProcess] = []

    def start(**extra_env) -> WorkerProcess:
        pool = extra_env.pop("POOL", "solo")
        env = worker_environment(
            database_url=_database_url(),
            redis_url=settings.REDIS_URL,
            extra={
                **provider_environment(zalo=fakes["zalo"], esms=fakes["esms"], smtp=fakes["smtp"]),
                "EMAIL_USE_TLS": "false",
                **extra_env,
            },
        )
        log_path = tmp_path / f"worker-{len(started)}.log"
        worker = WorkerProcess(env=env, log_path=log_path, pool=pool, concurrency=2).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _confirm(**overrides) -> Notification:
    from apps.notifications.services import notification_send

    arguments = {
        "kind": "declaration_confirmed",
        "language": "vi",
        "context": {"name": "Trần Thị Bình", "code": "Q4KM-7XPA-3", "unit": "Công an Phường Khánh Hội"},
        "phone": "0912345678",
        **overrides,
    }
    with transaction.atomic():  # the caller's transaction: the declaration and its message together
        notification = notification_send(**arguments)
    return notification


def _status(notification) -> str:
    return Notification.objects.values_list("status", flat=True).get(pk=notification.pk)


def test_a_confirmation_arrives(start_worker, fakes):
    worker = start_worker()
    notification = _confirm()
    wait_for(lambda: _status(notification) == Status.SENT, what="the confirmation to be sent", logs=[worker])
    [delivered] = fakes["zalo"].deliveries
    assert delivered["tracking_id"] == notification.idempotency_key
    assert delivered["template_data"]["code"] == "Q4KM-7XPA-3"


def test_a_transient_5xx_is_retried_and_succeeds(start_worker, fakes):
    worker = start_worker(NOTIFICATIONS_RETRY_BASE_SECONDS="1")
    fakes["zalo"].script(Scripted(500, "Internal Server Error"), Scripted(503, "Service Unavailable"))
    notification = _confirm()
    wait_for(lambda: _status(notification) == Status.SENT, what="the retried send", logs=[worker])
    requests = fakes["zalo"].requests
    assert len(requests) == 3 and {r["tracking_id"] for r in requests} == {notification.idempotency_key}
    assert len(fakes["zalo"].deliveries) == 1
    outcomes = list(DeliveryAttempt.objects.filter(notification=notification).values_list("outcome", flat=True))
    assert outcomes == [Outcome.TRANSIENT, Outcome.TRANSIENT, Outcome.SENT]


def test_an_invalid_number_falls_back_to_sms(start_worker, fakes):
    worker = start_worker()
    fakes["zalo"].state.invalid_phones.add("84987654321")
    notification = _confirm(phone="0987 654 321")
    wait_for(lambda: _status(notification) == Status.SENT, what="the SMS fallback", logs=[worker])
    assert not fakes["zalo"].deliveries
    [sms] = fakes["esms"].deliveries
    assert sms["Phone"] == "84987654321" and sms["RequestId"] == notification.idempotency_key
    assert Notification.objects.get(pk=notification.pk).channel == "sms"


def test_an_email_arrives_by_smtp(start_worker, fakes):
    worker = start_worker()
    notification = _confirm(phone=None, email="binh@example.vn", kind="report_received", context={"reference": "R2"})
    wait_for(lambda: _status(notification) == Status.SENT, what="the e-mail", logs=[worker])
    [mail] = fakes["smtp"].messages
    assert mail["to"] == ["binh@example.vn"] and notification.idempotency_key in mail["data"]


def test_a_worker_killed_mid_send_leads_to_exactly_one_delivery(start_worker, fakes):
    extra = {"TEST_VISIBILITY_TIMEOUT": "3", "NOTIFICATIONS_SENDING_LEASE_SECONDS": "2"}
    first = start_worker(**extra)
    zalo = fakes["zalo"]
    zalo.state.answer_delay = 30  # the provider delivers, then answers slowly
    notification = _confirm()
    wait_for(lambda: len(zalo.deliveries) == 1, what="the provider to receive the message", logs=[first])
    assert _status(notification) == Status.SENDING
    first.kill()  # SIGKILL mid-send: no answer recorded, no acknowledgement sent to the broker
    zalo.state.answer_delay = 0
    time.sleep(3.5)  # the broker's visibility timeout: the unacknowledged message becomes visible again
    second = start_worker(**extra)
    wait_for(lambda: _status(notification) == Status.SENT, what="the second worker to finish", logs=[first, second])
    assert len(zalo.deliveries) == 1  # delivered exactly once ...
    requests = zalo.requests
    assert len(requests) == 2 and {r["tracking_id"] for r in requests} == {notification.idempotency_key}  # ... same key
    outcomes = list(DeliveryAttempt.objects.filter(notification=notification).values_list("outcome", flat=True))
    assert outcomes == [Outcome.INTERRUPTED, Outcome.SENT]


@contextmanager
def _broker_unreachable():
    """Publishing fails as it does when Redis is down: a real connection to a port where nothing listens."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/2"
    celery_app._after_fork()  # drop the pooled connections to the real broker
    try:
        yield
    finally:
        celery_app.conf.broker_url = saved
        celery_app._after_fork()


def test_redis_down_at_submit_loses_nothing(start_worker, fakes):
    from apps.notifications.services import notification_requeue_due

    worker = start_worker()
    with _broker_unreachable():
        started = time.monotonic()
        notification = _confirm()  # commits; the hand-over fails and is only logged
        assert time.monotonic() - started < 10
    assert _status(notification) == Status.QUEUED
    assert Notification.objects.get(pk=notification.pk).enqueued_at is None
    time.sleep(1)
    assert not fakes["zalo"].requests
    # Redis is back; the periodic sweep finds the row and the worker sends it.
    assert notification_requeue_due(now=timezone.now() + timedelta(minutes=3)) == 1
    wait_for(lambda: _status(notification) == Status.SENT, what="the swept message", logs=[worker])
    assert len(fakes["zalo"].deliveries) == 1


def test_the_reminder_goes_out_once_even_if_beat_fires_twice(start_worker, fakes):
    from apps.notifications.models import Kind
    from apps.notifications.tasks import send_reminders

    from .factories import booked_appointment

    # Two processes run the reminder job at the same time; any hour of the day counts as daytime here.
    worker = start_worker(POOL="prefork", NOTIFICATIONS_REMINDER_FROM_HOUR="0", NOTIFICATIONS_REMINDER_UNTIL_HOUR="24")
    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment = booked_appointment(
        starts_at=timezone.make_aware(timezone.datetime.combine(tomorrow, timezone.datetime.min.time()))
        + timedelta(hours=9)
    )
    send_reminders.delay()
    send_reminders.delay()
    wait_for(
        lambda: worker.log().count("notifications.send_reminders") >= 4,  # two received, two succeeded
        what="both reminder runs",
        logs=[worker],
    )
    reminders = Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    wait_for(lambda: reminders.filter(status=Status.SENT).exists(), what="the reminder", logs=[worker])
    assert reminders.count() == 1 and reminders.get().subject == appointment
    assert len(fakes["zalo"].deliveries) == 1
    assert fakes["zalo"].deliveries[0]["template_data"]["reference"] == appointment.reference
