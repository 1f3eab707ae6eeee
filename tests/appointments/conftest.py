from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from .factories import BookingScheduleFactory, ProcedureFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=0, minute=0) -> datetime:
    """An aware Ho Chi Minh City time."""
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# Tuesday 1 December 2026, 08:00 in Ho Chi Minh City: an ordinary working day.
NOW = at(2026, 12, 1, 8, 0)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def procedure(db):
    return ProcedureFactory()


@pytest.fixture
def schedule(db, procedure):
    schedule = BookingScheduleFactory()
    procedure.units.add(schedule.unit)
    return schedule


@pytest.fixture
def unit(schedule):
    return schedule.unit


@pytest.fixture
def other_schedule(db, procedure):
    schedule = BookingScheduleFactory(unit__name="Công an Phường 8", unit__order=5)
    procedure.units.add(schedule.unit)
    return schedule


@pytest.fixture
def holds_take_every_place(settings):
    """For tests about availability, caching and the picker, which fill slots with holds: every hold keeps its
    place (no hold budget). The budget itself is tested in test_hold_budget.py."""
    settings.APPOINTMENT_HOLD_SHARE = 1.0
    settings.APPOINTMENT_HOLDS_PER_PHONE = 100
    settings.APPOINTMENT_HOLDS_PER_CLIENT = 100
