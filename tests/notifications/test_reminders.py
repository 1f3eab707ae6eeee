"""Day-before reminders: once per appointment, in the citizen's language, never for cancelled ones."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from apps.notifications.models import Kind, Notification, OutboxMessage, Status
from apps.notifications.services import reminders_send_due

from .factories import NotificationFactory, booked_appointment

pytestmark = pytest.mark.django_db


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def morning():
    """Today 09:00 local time, inside the reminder hours."""
    now = _local(timezone.localdate(), 9)
    with time_machine.travel(now, tick=False):
        yield now


def test_tomorrows_booking_gets_one_reminder_even_if_beat_runs_twice(morning, django_capture_on_commit_callbacks):
    appointment = booked_appointment(starts_at=_local(morning.date() + timedelta(days=1), 8, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due() == 1
        assert reminders_send_due() == 0
    [reminder] = Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    assert reminder.subject == appointment and reminder.status == Status.SENT
    body = OutboxMessage.objects.get(notification=reminder).body
    assert "ngày mai" in body and "08:30" in body and "Công an Phường Khánh Hội" in body


def test_reminder_is_in_the_language_the_citizen_used(morning, django_capture_on_commit_callbacks):
    booked_appointment(starts_at=_local(morning.date() + timedelta(days=1), 14))
    NotificationFactory(language="en", phone="+84912345678", context={"reference": "Q4KM7XPA3"})
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due()
    reminder = Notification.objects.get(kind=Kind.APPOINTMENT_REMINDER)
    assert reminder.language == "en"
    assert OutboxMessage.objects.get(notification=reminder).body.startswith("Reminder: tomorrow")
    assert "Khanh Hoi Ward Police" in reminder.context["unit"]


def test_no_reminder_for_cancelled_held_or_other_days(morning):
    tomorrow = morning.date() + timedelta(days=1)
    booked_appointment(starts_at=_local(tomorrow, 9), status="cancelled", reference="A")
    booked_appointment(starts_at=_local(tomorrow, 10), status="checked_in", reference="B")
    booked_appointment(starts_at=_local(tomorrow + timedelta(days=1), 9), reference="C")
    booked_appointment(starts_at=_local(morning.date(), 15), reference="D")
    assert reminders_send_due() == 0


def test_no_reminders_at_night(django_capture_on_commit_callbacks):
    night = _local(timezone.localdate(), 22)
    booked_appointment(starts_at=_local(night.date() + timedelta(days=1), 9))
    with time_machine.travel(night, tick=False):
        assert reminders_send_due() == 0


def test_an_appointment_moved_to_another_day_is_reminded_of_the_new_day(morning):
    tomorrow = morning.date() + timedelta(days=1)
    appointment = booked_appointment(starts_at=_local(tomorrow, 9))
    assert reminders_send_due() == 1
    from apps.appointments.models import Slot

    new_slot = Slot.objects.create(
        unit=appointment.unit,
        starts_at=_local(tomorrow + timedelta(days=1), 9),
        ends_at=_local(tomorrow + timedelta(days=1), 9, 15),
    )
    appointment.slot = new_slot
    appointment.save()
    with time_machine.travel(morning + timedelta(days=1), tick=False):
        assert reminders_send_due() == 1
    assert Notification.objects.filter(kind=Kind.APPOINTMENT_REMINDER).count() == 2


def test_run_periodic_tasks_command_runs_the_jobs_once(morning, django_capture_on_commit_callbacks):
    from io import StringIO

    booked_appointment(starts_at=_local(morning.date() + timedelta(days=1), 9))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic_tasks", stdout=out)
    assert "notifications-reminders: 1\n" in out.getvalue()
    assert "privacy-purge-expired: {" in out.getvalue()
    assert Notification.objects.get(kind=Kind.APPOINTMENT_REMINDER).status == Status.SENT


def test_moved_and_cancelled_appointments_are_announced(django_capture_on_commit_callbacks):
    from apps.appointments.services import appointment_cancel
    from apps.notifications.services import notification_send_appointment_change

    appointment = booked_appointment(starts_at=timezone.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(
            appointment=appointment, reason="Trụ sở mất điện.", notify=notification_send_appointment_change
        )
    cancelled = Notification.objects.get(kind=Kind.APPOINTMENT_CANCELLED)
    body = OutboxMessage.objects.get(notification=cancelled).body
    assert "đã bị hủy" in body and "Trụ sở mất điện." in body and appointment.reference in body
    with django_capture_on_commit_callbacks(execute=True):
        moved = notification_send_appointment_change(appointment=appointment, event="rescheduled")
    moved.refresh_from_db()
    assert moved.kind == Kind.APPOINTMENT_MOVED and moved.status == Status.SENT
    assert "đã được chuyển sang" in OutboxMessage.objects.get(notification=moved).body
