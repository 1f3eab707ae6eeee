"""Whatever citizens and officers do, in any order, no slot ever has more people than places."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.appointments.models import Appointment, AppointmentStatus, Slot
from apps.appointments.selectors import appointment_filter_taking_place
from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_hold,
    appointment_reschedule,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db

TIMES = [at(2026, 12, 2, 9, 0), at(2026, 12, 2, 9, 15), at(2026, 12, 2, 9, 30)]
CAPACITY = 2

operation = st.one_of(
    st.tuples(st.just("hold"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("book"), st.integers(0, 30)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 2)),
    st.tuples(st.just("wait"), st.integers(1, 20)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=25))
def test_no_slot_ever_has_more_people_than_places(unit, procedure, schedule, frozen_now, operations):
    from django.utils import timezone

    frozen_now.move_to(NOW)  # examples share the fixtures: start each one from the same state
    Appointment.objects.all().delete()
    schedule.capacity = CAPACITY
    schedule.save()
    for step, op in enumerate(operations):
        appointments = list(Appointment.objects.order_by("pk"))
        try:
            if op[0] == "hold":
                appointment_hold(
                    unit=unit,
                    procedure=procedure,
                    starts_at=TIMES[op[1]],
                    phone=f"09120000{op[2]:02d}",
                    holder_key=f"citizen-{op[2]}",
                )
            elif op[0] == "book" and appointments:
                target = appointments[op[1] % len(appointments)]
                appointment_book(appointment=target, reference=f"R{target.pk}", holder_name="Nguyễn Văn An")
            elif op[0] == "cancel" and appointments:
                appointment_cancel(appointment=appointments[op[1] % len(appointments)])
            elif op[0] == "move" and appointments:
                appointment_reschedule(appointment=appointments[op[1] % len(appointments)], starts_at=TIMES[op[2]])
            elif op[0] == "wait":
                frozen_now.shift(timedelta(minutes=op[1]))
        except ValidationError:
            pass  # a refusal is a valid outcome; the invariant below is what matters
        now = timezone.now()
        for slot in Slot.objects.all():
            taking = Appointment.objects.filter(slot=slot).filter(appointment_filter_taking_place(now=now)).count()
            booked = Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count()
            assert taking <= CAPACITY, (step, op)
            assert booked <= CAPACITY, (step, op)
