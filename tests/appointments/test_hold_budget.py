"""Issue 12.2: holds cannot block booking. A hold is free to take (no code confirmed yet), so what holds may keep
from others is bounded: a share of each slot (never its last place), a few per phone, a few per client address.
Beyond a budget a hold is still given (a citizen behind a shared address is never refused) but keeps nothing."""

import contextlib
from datetime import timedelta

import pytest

from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.selectors import slot_list_available
from apps.appointments.services import SlotUnavailable, appointment_book, appointment_hold
from apps.core.ratelimit import client_fingerprint, current_client_reset, current_client_set

from .conftest import at
from .factories import BookingScheduleFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _hold(unit, procedure, key, phone, starts_at=WED_9, client="198.51.100.1"):
    return appointment_hold(
        unit=unit, procedure=procedure, starts_at=starts_at, phone=phone, holder_key=key, client=client
    )


def _free_at(unit, procedure, starts_at):
    day = slot_list_available(unit=unit, procedure=procedure, start=starts_at.date(), end=starts_at.date())[0]
    return next(s.free for s in day.slots if s.starts_at == starts_at)


def test_unconfirmed_holds_never_take_the_last_place(unit, procedure, frozen_now):
    # Two places: one may be held, the other is only ever taken by a confirmed booking.
    first = _hold(unit, procedure, "a", "0912000001", client="198.51.100.1")
    second = _hold(unit, procedure, "b", "0912000002", client="198.51.100.2")
    assert (first.hold_counted, second.hold_counted) == (True, False)
    assert _free_at(unit, procedure, WED_9) == 1
    # A real citizen picks the same time, confirms and books the last place.
    citizen = _hold(unit, procedure, "c", "0912000003", client="198.51.100.3")
    booked = appointment_book(appointment=citizen, reference="REAL1", holder_name="Lê Thị Cúc")
    assert booked.status == AppointmentStatus.BOOKED
    assert _free_at(unit, procedure, WED_9) == 0
    # The uncounted hold kept nothing: its booking finds the slot full.
    with pytest.raises(SlotUnavailable) as caught:
        appointment_book(appointment=second, reference="LATE", holder_name="Phạm Văn Dũng")
    assert caught.value.code == "full"


def test_a_one_place_slot_is_never_kept_by_a_hold(procedure, frozen_now):
    schedule = BookingScheduleFactory(capacity=1)
    procedure.units.add(schedule.unit)
    hold = _hold(schedule.unit, procedure, "a", "0912000001")
    assert hold.hold_counted is False
    assert _free_at(schedule.unit, procedure, WED_9) == 1


def test_per_phone_hold_budget(procedure, frozen_now):
    schedule = BookingScheduleFactory(capacity=10)
    procedure.units.add(schedule.unit)
    holds = [
        _hold(schedule.unit, procedure, f"k{i}", "0912000009", starts_at=WED_9 + timedelta(minutes=15 * i))
        for i in range(3)
    ]
    assert [h.hold_counted for h in holds] == [True, True, False]


def test_per_client_hold_budget_and_its_expiry(procedure, frozen_now, settings):
    settings.APPOINTMENT_HOLDS_PER_CLIENT = 3
    schedule = BookingScheduleFactory(capacity=10)
    procedure.units.add(schedule.unit)
    unit = schedule.unit
    holds = [_hold(unit, procedure, f"k{i}", f"091200010{i}", client="203.0.113.7") for i in range(4)]
    assert [h.hold_counted for h in holds] == [True, True, True, False]
    assert holds[0].holder_client == client_fingerprint("203.0.113.7")
    # Someone else behind another address is not affected.
    assert _hold(unit, procedure, "other", "0912000200", client="203.0.113.8").hold_counted is True
    # The budget is of live holds: once they expire, the address may hold again.
    frozen_now.shift(timedelta(minutes=16))
    assert _hold(unit, procedure, "again", "0912000300", client="203.0.113.7").hold_counted is True


def test_the_client_defaults_to_the_request_being_served(unit, procedure, frozen_now):
    token = current_client_set("192.0.2.44")
    try:
        hold = appointment_hold(
            unit=unit, procedure=procedure, starts_at=WED_9, phone="0912000001", holder_key="via-request"
        )
    finally:
        current_client_reset(token)
    assert hold.holder_client == client_fingerprint("192.0.2.44")


def test_a_script_with_hundreds_of_drafts_leaves_every_slot_bookable(procedure, frozen_now):
    """300 drafts with random phones from 5 addresses, spread over a morning: every slot keeps a place."""
    schedule = BookingScheduleFactory(capacity=4)
    procedure.units.add(schedule.unit)
    unit = schedule.unit
    times = [at(2026, 12, 2, 7, 30) + timedelta(minutes=15 * n) for n in range(16)]  # 07:30-11:15
    for i in range(300):
        with contextlib.suppress(SlotUnavailable):
            _hold(unit, procedure, f"bot{i}", f"09130{i:05d}", starts_at=times[i % 16], client=f"203.0.113.{i % 5}")
    counted = Appointment.objects.filter(status=AppointmentStatus.HELD, hold_counted=True)
    assert counted.count() <= 5 * 10  # the per-client budget
    for starts_at in times:
        assert _free_at(unit, procedure, starts_at) >= 2  # holds keep at most half of each slot
    citizen = _hold(unit, procedure, "citizen", "0987654321", starts_at=times[0], client="192.0.2.10")
    booked = appointment_book(appointment=citizen, reference="CITIZEN", holder_name="Nguyễn Thị Hoa")
    assert booked.status == AppointmentStatus.BOOKED
