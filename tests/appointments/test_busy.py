"""A lock wait that runs out is a translated "busy, try again", never a server error."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, transaction
from django.utils import translation

from apps.appointments.models import Slot
from apps.appointments.services import _is_busy, appointment_hold

from .conftest import NOW, at
from .factories import BookingScheduleFactory, ProcedureFactory


class _Cause(Exception):
    def __init__(self, sqlstate=None):
        self.sqlstate = sqlstate


def _operational(text: str, sqlstate: str | None = None) -> OperationalError:
    error = OperationalError(text)
    error.__cause__ = _Cause(sqlstate)
    return error


def test_busy_errors_are_recognised():
    assert _is_busy(_operational("database is locked"))
    assert _is_busy(_operational("canceling statement due to lock timeout", "55P03"))
    assert _is_busy(_operational("deadlock detected", "40P01"))
    assert not _is_busy(_operational("connection refused"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_slot_locked_too_long_gives_busy_try_again(settings):
    settings.APPOINTMENT_LOCK_TIMEOUT_SECONDS = 0.2
    starts_at = at(2026, 12, 2, 9, 0)
    with time_machine.travel(NOW, tick=True):
        procedure = ProcedureFactory()
        schedule = BookingScheduleFactory()
        procedure.units.add(schedule.unit)
        slot = Slot.objects.create(unit=schedule.unit, starts_at=starts_at, ends_at=at(2026, 12, 2, 9, 15))
        locked, release = threading.Event(), threading.Event()

        def hold_the_lock():
            try:
                with transaction.atomic():
                    Slot.objects.select_for_update().get(pk=slot.pk)
                    locked.set()
                    release.wait(timeout=10)
            finally:
                connections.close_all()

        blocker = threading.Thread(target=hold_the_lock)
        blocker.start()
        try:
            assert locked.wait(timeout=10)
            with pytest.raises(ValidationError) as caught:
                appointment_hold(
                    unit=schedule.unit, procedure=procedure, starts_at=starts_at, phone="0912345678", holder_key="a"
                )
        finally:
            release.set()
            blocker.join()
    assert caught.value.code == "busy"
    with translation.override("vi"):
        assert caught.value.messages == ["Hiện có nhiều người đang đặt lịch. Vui lòng thử lại sau giây lát."]
    # Once the lock is gone, the same request goes through.
    with time_machine.travel(NOW, tick=True):
        hold = appointment_hold(
            unit=schedule.unit, procedure=procedure, starts_at=starts_at, phone="0912345678", holder_key="a"
        )
    assert hold.pk
