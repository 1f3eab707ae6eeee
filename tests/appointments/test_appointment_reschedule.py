from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.appointments.models import AppointmentStatus
from apps.appointments.selectors import slot_list_available
from apps.appointments.services import (
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_hold,
    appointment_reschedule,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)
WED_10 = at(2026, 12, 2, 10, 0)


def _booked(unit, procedure, starts_at=WED_9, key="a", phone="0912345678"):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=starts_at, phone=phone, holder_key=key)
    return appointment_book(appointment=hold, reference=f"R-{key}", holder_name="Nguyễn Văn An")


def _free(unit, procedure, starts_at):
    day = slot_list_available(unit=unit, procedure=procedure, start=starts_at.date(), end=starts_at.date())[0]
    return next(s.free for s in day.slots if s.starts_at == starts_at)


def test_reschedule_moves_the_same_row_and_frees_the_old_place(
    unit, procedure, frozen_now, django_capture_on_commit_callbacks
):
    booked = _booked(unit, procedure)
    calls = []
    with django_capture_on_commit_callbacks(execute=True):
        moved = appointment_reschedule(
            appointment=booked, starts_at=WED_10, notify=lambda **kwargs: calls.append(kwargs)
        )
    assert moved.pk == booked.pk and moved.reference == "R-a" and moved.status == AppointmentStatus.BOOKED
    assert moved.slot.starts_at == WED_10 and moved.reschedule_count == 1
    assert _free(unit, procedure, WED_9) == 2 and _free(unit, procedure, WED_10) == 1
    assert calls == [{"appointment": moved, "event": "rescheduled", "previous_starts_at": WED_9}]


def test_reschedule_into_a_full_slot_changes_nothing(unit, procedure, frozen_now):
    booked = _booked(unit, procedure)
    _booked(unit, procedure, starts_at=WED_10, key="b", phone="0912000001")
    _booked(unit, procedure, starts_at=WED_10, key="c", phone="0912000002")
    with pytest.raises(SlotUnavailable) as caught:
        appointment_reschedule(appointment=booked, starts_at=WED_10)
    assert caught.value.code == "full" and caught.value.alternatives
    booked.refresh_from_db()
    assert booked.slot.starts_at == WED_9 and booked.reschedule_count == 0


def test_reschedule_to_another_unit(unit, procedure, other_schedule, frozen_now):
    booked = _booked(unit, procedure)
    moved = appointment_reschedule(appointment=booked, starts_at=WED_9, unit=other_schedule.unit)
    assert moved.unit == other_schedule.unit and moved.slot.unit == other_schedule.unit


def test_officer_may_move_inside_the_lead_time_but_citizens_may_not(unit, procedure, frozen_now):
    booked = _booked(unit, procedure)
    soon = at(2026, 12, 1, 8, 30)
    with pytest.raises(SlotUnavailable) as caught:
        appointment_reschedule(appointment=booked, starts_at=soon)
    assert caught.value.code == "too_soon"
    moved = appointment_reschedule(appointment=booked, starts_at=soon, by_officer=True)
    assert moved.slot.starts_at == soon


def test_rescheduling_a_hold_renews_it(unit, procedure, frozen_now):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    frozen_now.shift(timedelta(minutes=10))
    moved = appointment_reschedule(appointment=hold, starts_at=WED_10)
    assert moved.hold_expires_at == NOW + timedelta(minutes=25)


def test_cancelled_appointment_can_not_be_moved(unit, procedure, frozen_now):
    booked = _booked(unit, procedure)
    appointment_cancel(appointment=booked)
    with pytest.raises(ValidationError) as caught:
        appointment_reschedule(appointment=booked, starts_at=WED_10)
    assert caught.value.code == "cannot_move"
