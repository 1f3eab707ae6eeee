from datetime import timedelta

import pytest

from apps.appointments.models import AppointmentStatus
from apps.appointments.services import appointment_hold
from apps.appointments.tasks import expire_holds

from .conftest import at

pytestmark = pytest.mark.django_db


def test_expire_holds_task_marks_only_expired_holds(unit, procedure, frozen_now):
    starts_at = at(2026, 12, 2, 9)
    old = appointment_hold(unit=unit, procedure=procedure, starts_at=starts_at, phone="0912000001", holder_key="a")
    frozen_now.shift(timedelta(minutes=10))
    fresh = appointment_hold(unit=unit, procedure=procedure, starts_at=starts_at, phone="0912000002", holder_key="b")
    frozen_now.shift(timedelta(minutes=6))
    assert expire_holds.delay().get() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == AppointmentStatus.EXPIRED and fresh.status == AppointmentStatus.HELD
