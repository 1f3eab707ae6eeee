"""Many citizens at once on real PostgreSQL connections: a slot of 10 places never gets an 11th.

Each race runs 200+ attempts over 20 threads, each with its own connection (the slot row lock and the advisory
locks work across connections only). "Now" is fixed with time-machine, which patches the clock of every thread.
"""

from datetime import timedelta

import pytest
import time_machine

from apps.appointments.models import Appointment, AppointmentStatus, Slot
from apps.appointments.services import appointment_book, appointment_hold, appointment_reschedule

from .conftest import NOW, at
from .factories import BookingScheduleFactory, ProcedureFactory
from .racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TARGET = at(2026, 12, 3, 9, 0)  # Thursday 09:00


@pytest.fixture
def setup():
    with time_machine.travel(NOW, tick=True) as traveller:
        procedure = ProcedureFactory()
        schedule = BookingScheduleFactory(capacity=10)
        procedure.units.add(schedule.unit)
        yield schedule.unit, procedure, traveller


def _places_taken(slot_start, now):
    return (
        Appointment.objects.filter(slot__starts_at=slot_start).filter(status=AppointmentStatus.BOOKED).count()
        + Appointment.objects.filter(
            slot__starts_at=slot_start, status=AppointmentStatus.HELD, hold_expires_at__gt=now
        ).count()
    )


def _expired_holds(unit, procedure, count, *, prefix, starts_at=TARGET):
    ends_at = starts_at + timedelta(minutes=15)
    slot, _ = Slot.objects.get_or_create(unit=unit, starts_at=starts_at, defaults={"ends_at": ends_at})
    return Appointment.objects.bulk_create(
        Appointment(
            slot=slot,
            unit=unit,
            procedure=procedure,
            status=AppointmentStatus.HELD,
            hold_expires_at=NOW - timedelta(minutes=1),
            holder_key=f"{prefix}{i}",
            phone=f"+849{prefix_digit(prefix)}{i:07d}",
            id_number=f"0792{prefix_digit(prefix)}{i:07d}",
        )
        for i in range(count)
    )


def _booking(hold, prefix):
    return lambda: appointment_book(appointment=hold, reference=f"{prefix}{hold.pk}", holder_name="Trần Thị Bình")


def prefix_digit(prefix: str) -> str:
    return str(sum(map(ord, prefix)) % 10)


@pytest.mark.usefixtures("holds_take_every_place")
def test_200_racing_holds_for_10_places(setup):
    unit, procedure, _ = setup
    jobs = [
        (
            lambda i=i: appointment_hold(
                unit=unit, procedure=procedure, starts_at=TARGET, phone=f"+8491{i:07d}", holder_key=f"h{i}"
            )
        )
        for i in range(200)
    ]
    outcomes = race(jobs)
    assert not outcomes.crashed and not outcomes.other
    assert len(outcomes.ok) == 10
    assert outcomes.refusal_codes == {"full": 190}
    assert all(e.alternatives and all(a.starts_at != TARGET for a in e.alternatives) for e in outcomes.refused)
    assert Appointment.objects.filter(status=AppointmentStatus.HELD, slot__starts_at=TARGET).count() == 10


def test_200_racing_bookings_for_10_places(setup):
    unit, procedure, _ = setup
    holds = _expired_holds(unit, procedure, 200, prefix="b")
    jobs = [
        (lambda h=h: appointment_book(appointment=h, reference=f"REF{h.pk}", holder_name="Nguyễn Văn An"))
        for h in holds
    ]
    outcomes = race(jobs)
    assert not outcomes.crashed and not outcomes.other
    assert len(outcomes.ok) == 10
    assert outcomes.refusal_codes == {"full": 190}
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 10


def test_200_racing_reschedules_into_one_slot(setup):
    unit, procedure, _ = setup
    # 200 bookings spread over 20 slots of Wednesday (10 each), all asking to move to Thursday 09:00.
    booked = []
    for n in range(20):
        starts_at = at(2026, 12, 2, 7, 30) + timedelta(minutes=15 * n + (120 if n >= 16 else 0))
        for appointment in _expired_holds(unit, procedure, 10, prefix=f"r{n}-", starts_at=starts_at):
            booked.append(appointment)
    Appointment.objects.filter(pk__in=[a.pk for a in booked]).update(status=AppointmentStatus.BOOKED)
    for a in booked:
        a.status = AppointmentStatus.BOOKED
    jobs = [(lambda a=a: appointment_reschedule(appointment=a, starts_at=TARGET)) for a in booked]
    outcomes = race(jobs)
    assert not outcomes.crashed and not outcomes.other
    assert len(outcomes.ok) == 10
    assert outcomes.refusal_codes == {"full": 190}
    assert Appointment.objects.filter(slot__starts_at=TARGET, status=AppointmentStatus.BOOKED).count() == 10
    # Nobody lost their place: the 190 refused are still booked where they were.
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 200


@pytest.mark.usefixtures("holds_take_every_place")
def test_holds_expiring_while_others_book(setup):
    unit, procedure, traveller = setup
    # Ten slow citizens hold every place of the slot.
    slow = [
        appointment_hold(unit=unit, procedure=procedure, starts_at=TARGET, phone=f"+8492{i:07d}", holder_key=f"s{i}")
        for i in range(10)
    ]
    early = _expired_holds(unit, procedure, 100, prefix="e")
    late = _expired_holds(unit, procedure, 100, prefix="l")
    book = [_booking(h, "R") for h in early]
    # While the slow holds are live, no expired hold gets their places.
    outcomes = race(book)
    assert not outcomes.crashed and not outcomes.other
    assert outcomes.ok == [] and outcomes.refusal_codes == {"full": 100}
    # The slow holds expire; now the slow citizens, 100 others with expired holds and 50 new holds race together.
    traveller.shift(timedelta(minutes=16))
    jobs = [_booking(h, "S") for h in slow] + [_booking(h, "L") for h in late]
    jobs += [
        (
            lambda i=i: appointment_hold(
                unit=unit, procedure=procedure, starts_at=TARGET, phone=f"+8493{i:07d}", holder_key=f"n{i}"
            )
        )
        for i in range(50)
    ]
    outcomes = race(jobs)
    assert not outcomes.crashed and not outcomes.other
    assert len(outcomes.ok) == 10
    assert outcomes.refusal_codes == {"full": 150}
    from django.utils import timezone

    assert _places_taken(TARGET, timezone.now()) == 10


@pytest.mark.usefixtures("holds_take_every_place")
def test_one_card_number_books_many_slots_at_once_and_gets_one(setup):
    """20 requests with the same card number (different phones, different times) book at the same moment: the
    slot locks do not serialise them (each is another slot), the per-card advisory lock does; exactly one is
    booked, the others are told the card already has a booking."""
    unit, procedure, _ = setup
    card = "079203009999"
    holds = [
        appointment_hold(
            unit=unit,
            procedure=procedure,
            starts_at=at(2026, 12, 2, 7, 30) + timedelta(minutes=15 * n + (120 if n >= 16 else 0)),
            phone=f"+8494{n:07d}",
            id_number=card,
            holder_key=f"c{n}",
        )
        for n in range(20)
    ]
    jobs = [_booking(h, "C") for h in holds]
    outcomes = race(jobs)
    assert not outcomes.crashed and not outcomes.refused
    assert len(outcomes.ok) == 1
    assert sorted(e.code for e in outcomes.other) == ["already_booked"] * 19
    assert Appointment.objects.filter(id_number=card, status=AppointmentStatus.BOOKED).count() == 1


def test_racing_moves_from_one_page_apply_once(setup):
    """Eight moves of one appointment posted at once from pages that all saw it unmoved (tabs, double taps): one
    applies, the others are told it changed elsewhere, and the appointment was moved exactly once."""
    unit, procedure, _ = setup
    (appointment,) = _expired_holds(unit, procedure, 1, prefix="m", starts_at=at(2026, 12, 2, 8, 0))
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.BOOKED)
    appointment.status = AppointmentStatus.BOOKED
    targets = [TARGET + timedelta(minutes=15 * k) for k in range(8)]
    jobs = [
        (
            lambda t=t: appointment_reschedule(
                appointment=Appointment.objects.get(pk=appointment.pk), starts_at=t, moves_seen=0
            )
        )
        for t in targets
    ]
    outcomes = race(jobs, workers=8)
    assert not outcomes.crashed and not outcomes.refused
    assert len(outcomes.ok) == 1
    assert [e.code for e in outcomes.other] == ["moved_elsewhere"] * 7
    appointment.refresh_from_db()
    assert appointment.reschedule_count == 1 and appointment.starts_at == outcomes.ok[0].starts_at
