"""Reminders at scale: a constant number of queries per chunk whatever the number of bookings, a run interrupted
mid-way resumes without sending twice or skipping, and two runs at once (PostgreSQL) still remind each once."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.appointments.models import Appointment, Slot
from apps.notifications import reminders
from apps.notifications.models import Kind, Notification, Status
from apps.notifications.reminders import reminders_run
from apps.notifications.services import notification_requeue_due
from tests.appointments.factories import ProcedureFactory
from tests.units.factories import WardUnitFactory

DAY = datetime(2026, 12, 3).date()  # a Thursday; tomorrow is Friday 4 December
MORNING = timezone.make_aware(datetime.combine(DAY, time(9)))
TOMORROW = DAY + timedelta(days=1)


def _bookings(count: int, *, start: int = 0) -> list[Appointment]:
    """`count` booked appointments tomorrow, spread over the day's slots, written in bulk."""
    unit = WardUnitFactory(name="Công an Phường Khánh Hội", name_en="Khanh Hoi Ward Police")
    procedure = ProcedureFactory()
    slots = {}
    appointments = []
    for i in range(start, start + count):
        starts_at = timezone.make_aware(datetime.combine(TOMORROW, time(7 + (i // 8) % 10, 15 * (i % 4))))
        if starts_at not in slots:
            slots[starts_at], _ = Slot.objects.get_or_create(
                unit=unit, starts_at=starts_at, defaults={"ends_at": starts_at + timedelta(minutes=15)}
            )
        appointments.append(
            Appointment(
                slot=slots[starts_at],
                unit=unit,
                procedure=procedure,
                status="booked",
                reference=f"R{i:08d}",
                holder_name="Lê Văn Cường",
                phone=f"+8491{i:07d}",
            )
        )
    return Appointment.objects.bulk_create(appointments)


def _per_chunk() -> int:
    """Queries per chunk: savepoint, the chunk's rows, one insert, release; plus, on SQLite, reading back the ids
    (PostgreSQL's insert returns them)."""
    return 4 if connection.vendor == "postgresql" else 5


def _queries_of_a_run(django_capture_on_commit_callbacks, **kwargs) -> tuple[int, int]:
    ContentType.objects.get_for_model(Appointment)  # the content-type cache, warm in any running process
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        run = reminders_run(**kwargs)
    return run.queued, len(queries)


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_query_count_does_not_grow_with_the_number_of_bookings(django_capture_on_commit_callbacks):
    _bookings(3)
    assert _queries_of_a_run(django_capture_on_commit_callbacks) == (3, 1 + _per_chunk())
    _bookings(12, start=3)
    # 12 more in the same chunk: the same queries (ids; savepoint; the chunk's rows; one insert; [read-back;]
    # release), where the old loop did several per booking. (SQLite splits an insert above 999 parameters.)
    assert _queries_of_a_run(django_capture_on_commit_callbacks) == (12, 1 + _per_chunk())


@pytest.mark.postgres
@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_a_full_chunk_costs_the_same_queries_as_three_bookings_on_postgresql(django_capture_on_commit_callbacks):
    _bookings(3)
    assert _queries_of_a_run(django_capture_on_commit_callbacks) == (3, 5)
    _bookings(1000, start=3)
    # ids; savepoint; the chunk's rows; one INSERT ... RETURNING of the 1,000; release.
    assert _queries_of_a_run(django_capture_on_commit_callbacks) == (1000, 5)


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_queries_grow_per_chunk_not_per_booking(django_capture_on_commit_callbacks):
    _bookings(25)
    # 1 query for the list, then the same few per chunk of 10: 3 chunks.
    assert _queries_of_a_run(django_capture_on_commit_callbacks, chunk_size=10) == (25, 1 + 3 * _per_chunk())


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_handing_a_chunk_to_the_queue_is_one_message_and_no_query(django_capture_on_commit_callbacks, monkeypatch):
    from apps.notifications.tasks import deliver_notifications

    _bookings(30)
    batches = []
    monkeypatch.setattr("apps.notifications.tasks.deliver_notifications.delay", batches.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders_run(chunk_size=20).queued == 30
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert [len(batch) for batch in batches] == [20, 10] and len(queries) == 0
    assert Notification.objects.filter(enqueued_at__isnull=True).count() == 30
    # The worker that receives a batch records the hand-over in one query, then fans it out.
    fanned = []
    monkeypatch.setattr("apps.notifications.tasks.deliver_notification.delay", fanned.append)
    with CaptureQueriesContext(connection) as queries:
        for batch in batches:
            deliver_notifications(batch)
    assert len(queries) == 2 and sorted(fanned) == sorted(batches[0] + batches[1])
    assert Notification.objects.filter(enqueued_at__isnull=True).count() == 0


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_the_batch_task_fans_out_one_delivery_per_message(django_capture_on_commit_callbacks):
    _bookings(3)
    with django_capture_on_commit_callbacks(execute=True):  # eager, as on the embedded default
        assert reminders_run().queued == 3
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER, status=Status.SENT).count() == 3


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_a_run_that_dies_mid_way_resumes_without_sending_twice_or_skipping(monkeypatch):
    _bookings(25)
    real_insert = reminders._insert_chunk
    calls = []

    def dies_on_the_second_chunk(notifications):
        calls.append(len(notifications))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_insert(notifications)

    monkeypatch.setattr(reminders, "_insert_chunk", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        reminders_run(chunk_size=10)
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).count() == 10  # the first chunk only
    monkeypatch.setattr(reminders, "_insert_chunk", real_insert)
    assert reminders_run(chunk_size=10).queued == 15
    assert reminders_run(chunk_size=10).queued == 0
    keys = list(Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).values_list("subject_id", flat=True))
    assert sorted(keys) == sorted(str(pk) for pk in Appointment.objects.values_list("pk", flat=True))


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_a_time_budget_stops_between_chunks_and_the_next_run_finishes(monkeypatch):
    _bookings(25)
    clock = iter([0.0, 100.0])  # started; after the first chunk, over the budget
    monkeypatch.setattr(reminders, "monotonic", lambda: next(clock))
    run = reminders_run(chunk_size=10, time_budget=40)
    assert (run.queued, run.finished) == (10, False)
    monkeypatch.undo()
    run = reminders_run(chunk_size=10, time_budget=40)
    assert (run.queued, run.finished) == (15, True)


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_a_chunk_committed_but_never_handed_to_the_queue_is_sent_by_the_sweep(
    django_capture_on_commit_callbacks, settings
):
    _bookings(5)
    with django_capture_on_commit_callbacks(execute=False):  # the process died right after the commit
        assert reminders_run().queued == 5
    assert Notification.objects.filter(enqueued_at__isnull=True).count() == 5
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_requeue_due(now=later) == 5
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER, status=Status.SENT).count() == 5


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_a_verification_code_collision_is_retried_not_dropped(monkeypatch):
    from tests.notifications.factories import NotificationFactory

    _bookings(3)
    NotificationFactory(verification_code="TAKEN1")
    codes = iter(["TAKEN1", "FREE01", "FREE02", "FREE03"])
    monkeypatch.setattr(reminders, "code_generate", lambda length: next(codes))
    assert reminders_run().queued == 3
    codes_used = set(
        Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).values_list("verification_code", flat=True)
    )
    assert codes_used == {"FREE01", "FREE02", "FREE03"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_each_booking_once():
    from tests.appointments.racing import race

    with time_machine.travel(MORNING, tick=True):
        _bookings(60)
        outcomes = race([lambda: reminders_run(chunk_size=7) for _ in range(4)], workers=4)
    assert outcomes.crashed == [] and sum(run.queued for run in outcomes.ok) == 60
    reminded = Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    assert reminded.count() == 60 and reminded.values("subject_id").distinct().count() == 60


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_reminders_and_appointment_messages_write_the_filing_code_grouped_as_the_confirmation_does():
    """Issue 11.6: one way of writing the code everywhere. Bookings store the code ungrouped ('K7MX3PQ9R'); the
    confirmation writes 'K7MX-3PQ9-R', and so must the reminder and the moved/cancelled messages."""
    from apps.core.codes import code_generate
    from apps.notifications.selectors import appointment_message_context

    booked = _bookings(2)
    code = code_generate(length=8)
    Appointment.objects.filter(pk=booked[0].pk).update(reference=code)
    Appointment.objects.filter(pk=booked[1].pk).update(reference="SO-12/2026")  # an officer's own reference
    grouped = f"{code[:4]}-{code[4:8]}-{code[8:]}"

    assert reminders_run().queued == 2
    written = dict(
        Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).values_list("subject_id", "context__reference")
    )
    assert written == {str(booked[0].pk): grouped, str(booked[1].pk): "SO-12/2026"}
    appointment = Appointment.objects.get(pk=booked[0].pk)
    assert appointment_message_context(appointment=appointment, language="vi")["reference"] == grouped
