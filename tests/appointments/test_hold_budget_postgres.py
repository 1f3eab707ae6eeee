"""Issue 12.2 on real PostgreSQL: a script racing hundreds of holds from a handful of addresses stays within the
hold budget (per client address, per slot), so a real citizen can still book. Fails when the per-client identity
lock or the slot lock is removed from appointment_hold."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_book, appointment_hold

from .conftest import NOW, at
from .factories import BookingScheduleFactory, ProcedureFactory
from .racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_script_stays_within_the_hold_budget(settings):
    settings.APPOINTMENT_HOLDS_PER_CLIENT = 10
    with time_machine.travel(NOW, tick=True):
        procedure = ProcedureFactory()
        schedule = BookingScheduleFactory(capacity=40)
        procedure.units.add(schedule.unit)
        unit = schedule.unit
        times = [at(2026, 12, 2, 7, 30) + timedelta(minutes=15 * n) for n in range(8)]
        jobs = [
            (
                lambda i=i: appointment_hold(
                    unit=unit,
                    procedure=procedure,
                    starts_at=times[i % 8],
                    phone=f"+8491{i:07d}",
                    holder_key=f"bot{i}",
                    client=f"203.0.113.{i % 5}",
                )
            )
            for i in range(300)
        ]
        outcomes = race(jobs)
        assert not outcomes.crashed and not outcomes.other
        counted = Appointment.objects.filter(status=AppointmentStatus.HELD, hold_counted=True)
        per_client = Counter(counted.values_list("holder_client", flat=True))
        per_slot = Counter(counted.values_list("slot__starts_at", flat=True))
        assert len(per_client) == 5 and max(per_client.values()) == 10
        assert max(per_slot.values()) <= 20  # half of 40 places
        citizen = appointment_hold(
            unit=unit, procedure=procedure, starts_at=times[0], phone="+84987654321", holder_key="me", client="x"
        )
        booked = appointment_book(appointment=citizen, reference="CITIZEN", holder_name="Nguyễn Thị Hoa")
        assert booked.status == AppointmentStatus.BOOKED
