"""Officers' changes never drop bookings silently: they list the ones to move."""

import pytest

from apps.appointments.models import AppointmentStatus
from apps.appointments.selectors import appointment_list_affected
from apps.appointments.services import (
    appointment_book,
    appointment_hold,
    appointment_reschedule,
    closure_create,
    schedule_save,
)

from .conftest import at
from .factories import OfficialDayFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _book(unit, procedure, starts_at, n):
    hold = appointment_hold(
        unit=unit, procedure=procedure, starts_at=starts_at, phone=f"09120000{n:02d}", holder_key=f"k{n}"
    )
    return appointment_book(appointment=hold, reference=f"R{n}", holder_name=f"Công dân {n}")


def test_lowering_capacity_lists_the_latest_bookings_beyond_it(unit, procedure, schedule, frozen_now):
    schedule.capacity = 3
    schedule.save()
    first, second, third = (_book(unit, procedure, WED_9, n) for n in range(3))
    elsewhere = _book(unit, procedure, at(2026, 12, 2, 10, 0), 3)
    schedule.capacity = 1
    affected = schedule_save(schedule=schedule)
    assert [a.appointment for a in affected] == [second, third]
    assert all(a.reason == "Số lịch hẹn vượt quá số chỗ" for a in affected)
    # Nothing was cancelled.
    for appointment in (first, second, third, elsewhere):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED
    # Once an officer moves them, the list is empty.
    appointment_reschedule(appointment=second, starts_at=at(2026, 12, 2, 10, 15), by_officer=True)
    appointment_reschedule(appointment=third, starts_at=at(2026, 12, 2, 10, 30), by_officer=True)
    assert appointment_list_affected(unit=unit) == []


def test_a_longer_slot_lists_bookings_that_no_longer_start_a_slot(unit, procedure, schedule, frozen_now):
    on_grid = _book(unit, procedure, at(2026, 12, 2, 7, 30), 1)
    off_grid = _book(unit, procedure, at(2026, 12, 2, 7, 45), 2)
    schedule.slot_minutes = 30
    affected = schedule_save(schedule=schedule)
    assert [a.appointment for a in affected] == [off_grid]
    assert on_grid not in [a.appointment for a in affected]


def test_a_closure_lists_the_bookings_inside_it(unit, procedure, frozen_now):
    inside = _book(unit, procedure, WED_9, 1)
    outside = _book(unit, procedure, at(2026, 12, 2, 14, 0), 2)
    closure, affected = closure_create(
        unit=unit, starts_at=at(2026, 12, 2, 7, 0), ends_at=at(2026, 12, 2, 12, 0), reason="Họp khẩn"
    )
    assert closure.pk
    assert [(a.appointment, a.reason) for a in affected] == [(inside, "Họp khẩn")]
    inside.refresh_from_db()
    assert inside.status == AppointmentStatus.BOOKED
    assert outside not in [a.appointment for a in appointment_list_affected(unit=unit)]


def test_an_official_day_off_added_later_lists_that_days_bookings(unit, procedure, frozen_now):
    booked = _book(unit, procedure, WED_9, 1)
    OfficialDayFactory(date=WED_9.date(), name="Nghỉ bù")
    assert [(a.appointment, a.reason) for a in appointment_list_affected(unit=unit)] == [(booked, "Nghỉ bù")]


def test_turning_online_booking_off_lists_every_upcoming_booking(unit, procedure, schedule, frozen_now):
    booked = _book(unit, procedure, WED_9, 1)
    schedule.is_active = False
    assert [a.appointment for a in schedule_save(schedule=schedule)] == [booked]


def test_past_bookings_are_not_listed(unit, procedure, schedule, frozen_now):
    _book(unit, procedure, WED_9, 1)
    frozen_now.move_to(at(2026, 12, 2, 10, 0))
    schedule.capacity = 0
    assert schedule_save(schedule=schedule) == []
