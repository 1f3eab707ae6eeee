from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.appointments.models import AppointmentStatus, Slot
from apps.appointments.services import SlotUnavailable, appointment_book, appointment_hold

from .conftest import NOW, at
from .factories import BookingScheduleFactory, ClosureFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _hold(unit, procedure, starts_at=WED_9, phone="0912345678", holder_key="session-a", **kwargs):
    return appointment_hold(
        unit=unit, procedure=procedure, starts_at=starts_at, phone=phone, holder_key=holder_key, **kwargs
    )


def test_hold_keeps_a_place_for_fifteen_minutes(unit, procedure, frozen_now):
    hold = _hold(unit, procedure, phone="091 234 5678", id_number="079 201 012 345")
    assert hold.status == AppointmentStatus.HELD
    assert hold.hold_expires_at == NOW + timedelta(minutes=15)
    assert hold.phone == "+84912345678"
    assert hold.id_number == "079201012345"
    assert hold.unit == unit and hold.slot.starts_at == WED_9
    assert hold.slot.ends_at == WED_9 + timedelta(minutes=15)
    assert Slot.objects.count() == 1


@pytest.mark.usefixtures("holds_take_every_place")
def test_full_slot_refused_with_nearest_alternatives(unit, procedure, other_schedule, frozen_now):
    _hold(unit, procedure, holder_key="a", phone="0912000001")
    _hold(unit, procedure, holder_key="b", phone="0912000002")
    with pytest.raises(SlotUnavailable) as caught:
        _hold(unit, procedure, holder_key="c", phone="0912000003")
    error = caught.value
    assert error.code == "full"
    assert "just been taken" in error.messages[0] or "vừa có người" in error.messages[0]
    same_unit = [a for a in error.alternatives if a.unit == unit]
    others = [a for a in error.alternatives if a.unit != unit]
    assert [a.local_start.strftime("%H:%M") for a in same_unit] == ["08:45", "09:15", "08:30"]
    assert others and others[0].unit == other_schedule.unit and others[0].starts_at == WED_9
    assert error.alternatives.index(others[0]) > error.alternatives.index(same_unit[-1])


def test_messages_are_translated(unit, procedure, frozen_now):
    with pytest.raises(SlotUnavailable) as caught:
        _hold(unit, procedure, starts_at=NOW - timedelta(hours=1))
    with translation.override("vi"):
        assert caught.value.messages == ["Giờ này đã qua. Vui lòng chọn giờ khác."]
    with translation.override("en"):
        assert caught.value.messages == ["This time has already passed. Please choose another time."]


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (at(2026, 11, 30, 9, 0), "past"),
        (at(2026, 12, 1, 9, 45), "too_soon"),  # inside the 2 hours' lead time
        (at(2027, 1, 4, 9, 0), "too_far"),  # beyond the 30 days' horizon
        (at(2026, 12, 5, 9, 0), "not_offered"),  # Saturday: not open
        (at(2026, 12, 2, 12, 0), "not_offered"),  # lunch break
        (at(2026, 12, 2, 9, 5), "not_offered"),  # not a slot boundary
        (at(2026, 12, 2, 16, 55), "not_offered"),  # would end after closing
    ],
)
def test_times_that_are_not_offered_are_refused(unit, procedure, frozen_now, starts_at, code):
    with translation.override("en"), pytest.raises(SlotUnavailable) as caught:
        _hold(unit, procedure, starts_at=starts_at)
    assert caught.value.code == code
    assert caught.value.alternatives  # always something to choose instead


def test_holiday_refused_with_its_name(unit, procedure):
    import time_machine

    with (
        time_machine.travel(at(2027, 1, 20, 8), tick=False),
        translation.override("vi"),
        pytest.raises(SlotUnavailable) as caught,
    ):
        _hold(unit, procedure, starts_at=at(2027, 2, 9, 9, 0))
    assert caught.value.code == "day_off"
    with translation.override("vi"):
        assert "Mùng bốn Tết Nguyên Đán" in caught.value.messages[0]


def test_closure_refused_with_its_reason(unit, procedure, frozen_now):
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 2, 8, 0), ends_at=at(2026, 12, 2, 10, 0), reason="Họp giao ban")
    with translation.override("vi"), pytest.raises(SlotUnavailable) as caught:
        _hold(unit, procedure)
    assert caught.value.code == "closed"
    assert "Họp giao ban" in caught.value.messages[0]


def test_unit_without_schedule_and_procedure_not_handled(procedure, frozen_now):
    schedule = BookingScheduleFactory(is_active=False)
    procedure.units.add(schedule.unit)
    with pytest.raises(SlotUnavailable) as caught:
        _hold(schedule.unit, procedure)
    assert caught.value.code == "unit_not_bookable"
    other = BookingScheduleFactory()
    with pytest.raises(SlotUnavailable) as caught:
        _hold(other.unit, procedure)
    assert caught.value.code == "procedure_not_handled"


def test_invalid_phone_and_id_number(unit, procedure, frozen_now):
    with pytest.raises(ValidationError) as caught:
        _hold(unit, procedure, phone="12345")
    assert "phone" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _hold(unit, procedure, id_number="07920101234")
    assert "id_number" in caught.value.message_dict


def test_a_new_hold_releases_the_previous_one_of_the_same_session(unit, procedure, schedule, frozen_now):
    schedule.capacity = 1
    schedule.save()
    first = _hold(unit, procedure)
    second = _hold(unit, procedure, starts_at=at(2026, 12, 2, 10, 0))
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CANCELLED
    assert second.status == AppointmentStatus.HELD
    # The released place is free again for somebody else.
    _hold(unit, procedure, holder_key="other", phone="0987654321")


def test_picking_the_same_time_again_keeps_the_place(unit, procedure, schedule, frozen_now):
    schedule.capacity = 1
    schedule.save()
    _hold(unit, procedure)
    again = _hold(unit, procedure)
    assert again.status == AppointmentStatus.HELD


def test_one_booking_per_identity_number_per_procedure(unit, procedure, frozen_now):
    hold = _hold(unit, procedure, id_number="079201012345")
    appointment_book(appointment=hold, reference="AAA", holder_name="Trần Thị Bình")
    # Issue 12.5: the slot step says nothing about the card number (anyone can type anyone's); booking refuses,
    # without saying when the other booking is.
    other = _hold(unit, procedure, starts_at=at(2026, 12, 3, 9), id_number="079201012345", holder_key="other")
    with pytest.raises(ValidationError) as caught:
        appointment_book(appointment=other, reference="BBB", holder_name="Trần Thị Bình")
    assert caught.value.code == "already_booked"
    with translation.override("vi"):
        text = " ".join(caught.value.messages)
    assert "02/12" not in text and "09:00" not in text and "9:00" not in text
    passport = ProcedureFactory(slug="ho-chieu", name="Hộ chiếu")
    passport.units.add(unit)
    _hold(unit, passport, starts_at=at(2026, 12, 3, 9), id_number="079201012345", holder_key="other")


def test_phone_number_cap(unit, procedure, frozen_now, settings):
    settings.APPOINTMENT_MAX_ACTIVE_PER_PHONE = 2
    for i, key in enumerate(("a", "b")):
        hold = _hold(unit, procedure, starts_at=at(2026, 12, 3 + i, 9), holder_key=key)
        appointment_book(appointment=hold, reference=f"R{i}", holder_name="Lê Văn Cường")
    with pytest.raises(ValidationError) as caught:
        _hold(unit, procedure, holder_key="c")
    assert caught.value.code == "phone_limit"


def test_the_hold_remembers_the_citizens_language(unit, procedure, frozen_now):
    with translation.override("en"):
        english = _hold(unit, procedure, holder_key="en", phone="0912000001")
    vietnamese = _hold(unit, procedure, holder_key="vi", phone="0912000002")
    assert (english.language, vietnamese.language) == ("en", "vi")
    assert english.status == english.Status.HELD


def test_a_naive_time_is_local_time(unit, procedure, frozen_now):
    from datetime import datetime

    hold = _hold(unit, procedure, starts_at=datetime(2026, 12, 2, 9, 0))
    assert hold.slot.starts_at == WED_9
