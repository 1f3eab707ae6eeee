"""Which days and times a unit offers: opening hours, lead time, horizon, holidays, days off, closures, places."""

from datetime import date, timedelta

import pytest
import time_machine

from apps.appointments.models import AppointmentStatus, OfficialDayKind
from apps.appointments.selectors import ClosedBecause, DayStatus, slot_list_available
from apps.appointments.services import appointment_book, appointment_hold

from .conftest import NOW, at
from .factories import ClosureFactory, OfficialDayFactory, ProcedureCapacityFactory, ProcedureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("holds_take_every_place")]


def _days(unit, procedure, start, end, now=None):
    return {d.day: d for d in slot_list_available(unit=unit, procedure=procedure, start=start, end=end, now=now)}


def _slot(unit, procedure, starts_at):
    day = _days(unit, procedure, starts_at.date(), starts_at.date())[starts_at.date()]
    return next(s for s in day.slots if s.starts_at == starts_at)


def test_a_working_day_has_slots_in_both_sessions(unit, procedure, frozen_now):
    day = _days(unit, procedure, date(2026, 12, 2), date(2026, 12, 2))[date(2026, 12, 2)]
    assert day.status == DayStatus.OPEN
    starts = [s.local_start.strftime("%H:%M") for s in day.slots]
    # 07:30–11:30 and 13:30–17:00 in 15-minute slots: 16 + 14.
    assert len(starts) == 30
    assert starts[0] == "07:30" and starts[15] == "11:15" and starts[16] == "13:30" and starts[-1] == "16:45"
    assert day.free == 60 and all(s.capacity == 2 and s.free == 2 for s in day.slots)


def test_weekend_without_hours_is_closed(unit, procedure, frozen_now):
    days = _days(unit, procedure, date(2026, 12, 5), date(2026, 12, 6))
    assert days[date(2026, 12, 5)].closed_because == ClosedBecause.NOT_OPEN
    assert days[date(2026, 12, 6)].status == DayStatus.CLOSED


def test_lead_time_hides_slots_starting_too_soon(unit, procedure, frozen_now):
    # Now is 08:00 with 2 hours' lead time: the first time offered today is 10:00.
    today = _days(unit, procedure, date(2026, 12, 1), date(2026, 12, 1))[date(2026, 12, 1)]
    assert today.slots[0].local_start.strftime("%H:%M") == "10:00"
    with time_machine.travel(at(2026, 12, 1, 15, 30), tick=False):
        today = _days(unit, procedure, date(2026, 12, 1), date(2026, 12, 1))[date(2026, 12, 1)]
        assert today.status == DayStatus.CLOSED and today.closed_because == ClosedBecause.TOO_LATE


def test_past_days_are_never_listed(unit, procedure, frozen_now):
    days = _days(unit, procedure, date(2026, 11, 20), date(2026, 12, 2))
    assert min(days) == date(2026, 12, 1)


def test_horizon_limits_the_last_day(unit, procedure, frozen_now):
    days = _days(unit, procedure, date(2026, 12, 1), date(2027, 3, 1))
    assert max(days) == date(2026, 12, 31)  # 30 days after 1 December


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 2, 16), "Giao thừa Tết Nguyên Đán"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 2, 18), "Mùng hai Tết Nguyên Đán"),
        (date(2026, 2, 19), "Mùng ba Tết Nguyên Đán"),
        (date(2026, 2, 20), "Mùng bốn Tết Nguyên Đán"),
        (date(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2027, 2, 4), "29 Tết"),
        (date(2027, 2, 5), "Giao thừa Tết Nguyên Đán"),
        (date(2027, 2, 8), "Mùng ba Tết Nguyên Đán"),
        (date(2027, 2, 9), "Mùng bốn Tết Nguyên Đán"),
        (date(2027, 2, 10), "Mùng năm Tết Nguyên Đán"),
        (date(2027, 4, 16), "Ngày Giỗ Tổ Hùng Vương"),
    ],
)
def test_public_holidays_of_2026_and_2027_are_closed(unit, procedure, day, name):
    with time_machine.travel(at(day.year, day.month, day.day, 7, 0) - timedelta(days=20), tick=False):
        days = _days(unit, procedure, day, day)
    assert days[day].status == DayStatus.CLOSED
    assert days[day].closed_because == ClosedBecause.DAY_OFF
    assert days[day].reason == name


def test_days_around_tet_2027_are_open(unit, procedure):
    with time_machine.travel(at(2027, 1, 25, 7, 0), tick=False):
        days = _days(unit, procedure, date(2027, 2, 3), date(2027, 2, 11))
    assert days[date(2027, 2, 3)].status == DayStatus.OPEN
    assert days[date(2027, 2, 11)].status == DayStatus.OPEN
    closed = [d for d, a in days.items() if a.closed_because == ClosedBecause.DAY_OFF]
    # 4–10 February: 29 Tết to Mùng năm (the weekend in between is Tết too).
    assert closed == [date(2027, 2, d) for d in range(4, 11)]


def test_holiday_names_follow_the_language(unit, procedure, settings):
    from django.utils import translation

    with time_machine.travel(at(2026, 2, 1, 7), tick=False), translation.override("en"):
        days = _days(unit, procedure, date(2026, 2, 17), date(2026, 2, 17))
    assert days[date(2026, 2, 17)].reason == "Lunar New Year"


def test_official_day_off_and_working_day_swapped_in(unit, procedure, frozen_now):
    OfficialDayFactory(date=date(2026, 12, 4), name="Nghỉ bù", kind=OfficialDayKind.DAY_OFF)
    OfficialDayFactory(date=date(2026, 12, 12), name="Làm bù", kind=OfficialDayKind.WORKING_DAY, hours_of_weekday=4)
    days = _days(unit, procedure, date(2026, 12, 4), date(2026, 12, 12))
    assert days[date(2026, 12, 4)].reason == "Nghỉ bù"
    assert days[date(2026, 12, 12)].status == DayStatus.OPEN
    assert len(days[date(2026, 12, 12)].slots) == 30


def test_saturday_worked_in_exchange_from_the_holiday_library(unit, procedure):
    # Saturday 22 August 2026 is worked in exchange for Monday 31 August (holidays' weekend_workdays).
    with time_machine.travel(at(2026, 8, 10, 7), tick=False):
        days = _days(unit, procedure, date(2026, 8, 22), date(2026, 8, 31))
    assert days[date(2026, 8, 22)].status == DayStatus.OPEN
    assert days[date(2026, 8, 23)].status == DayStatus.CLOSED
    assert days[date(2026, 8, 31)].closed_because == ClosedBecause.DAY_OFF


def test_closures_remove_their_slots_and_show_the_reason(unit, procedure, frozen_now):
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 3, 0), ends_at=at(2026, 12, 4, 0), reason="Bầu cử")
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 4, 13, 0), ends_at=at(2026, 12, 4, 18, 0))
    days = _days(unit, procedure, date(2026, 12, 3), date(2026, 12, 4))
    assert days[date(2026, 12, 3)].closed_because == ClosedBecause.CLOSURE
    assert days[date(2026, 12, 3)].reason == "Bầu cử"
    friday = days[date(2026, 12, 4)]
    assert friday.status == DayStatus.OPEN
    assert all(s.local_start.hour < 12 for s in friday.slots) and len(friday.slots) == 16


def test_holds_and_bookings_take_places_expired_holds_do_not(unit, procedure, frozen_now):
    starts = at(2026, 12, 2, 9, 0)
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=starts, phone="0912345678", holder_key="a")
    appointment_book(appointment=hold, reference="AB12CD", holder_name="Nguyễn Văn An")
    appointment_hold(unit=unit, procedure=procedure, starts_at=starts, phone="0912345679", holder_key="b")
    slot = _slot(unit, procedure, starts)
    assert (slot.taken, slot.free) == (2, 0)
    frozen_now.shift(timedelta(minutes=16))
    slot = _slot(unit, procedure, starts)
    assert (slot.taken, slot.free) == (1, 1)


def test_a_full_day_is_shown_as_full(unit, procedure, schedule, frozen_now):
    schedule.capacity = 1
    schedule.save()
    day = date(2026, 12, 2)
    for i, slot in enumerate(_days(unit, procedure, day, day)[day].slots):
        hold = appointment_hold(
            unit=unit, procedure=procedure, starts_at=slot.starts_at, phone=f"09123456{i:02d}", holder_key=f"k{i}"
        )
        assert hold.status == AppointmentStatus.HELD
    assert _days(unit, procedure, day, day)[day].status == DayStatus.FULL


def test_capacity_per_procedure(unit, procedure, schedule, frozen_now):
    passport = ProcedureFactory(slug="ho-chieu", name="Hộ chiếu")
    passport.units.add(unit)
    ProcedureCapacityFactory(schedule=schedule, procedure=passport, capacity=1)
    starts = at(2026, 12, 2, 9, 0)
    appointment_hold(unit=unit, procedure=passport, starts_at=starts, phone="0912345678", holder_key="a")
    day = starts.date()
    passport_slot = next(s for s in _days(unit, passport, day, day)[day].slots if s.starts_at == starts)
    card_slot = next(s for s in _days(unit, procedure, day, day)[day].slots if s.starts_at == starts)
    assert passport_slot.free == 0
    assert card_slot.free == 1


def test_unit_without_schedule_or_procedure_offers_nothing(unit, procedure, schedule, frozen_now):
    other = ProcedureFactory(slug="dang-ky-xe", name="Đăng ký xe")
    assert slot_list_available(unit=unit, procedure=other, start=NOW.date(), end=NOW.date()) == []
    schedule.is_active = False
    schedule.save()
    assert slot_list_available(unit=unit, procedure=procedure, start=NOW.date(), end=NOW.date()) == []
