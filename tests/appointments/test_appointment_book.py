from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.appointments.models import AppointmentStatus
from apps.appointments.services import (
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_expire_holds,
    appointment_hold,
)

from .conftest import NOW, at
from .factories import ClosureFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _hold(unit, procedure, key="a", phone="0912345678", **kwargs):
    return appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone=phone, holder_key=key, **kwargs)


def test_book_turns_the_hold_into_a_booking(unit, procedure, frozen_now):
    hold = _hold(unit, procedure, id_number="079201012345")
    booked = appointment_book(appointment=hold, reference="KX7P2M", holder_name="  Nguyễn   Văn An ")
    assert booked.pk == hold.pk
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.reference == "KX7P2M"
    assert booked.holder_name == "Nguyễn Văn An"
    assert booked.booked_at == NOW and booked.hold_expires_at is None


def test_booking_twice_with_the_same_reference_returns_the_booking(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    first = appointment_book(appointment=hold, reference="KX7P2M", holder_name="An")
    again = appointment_book(appointment=hold, reference="KX7P2M", holder_name="An")
    assert again.pk == first.pk and again.status == AppointmentStatus.BOOKED


def test_expired_hold_is_booked_when_its_place_is_still_free(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    frozen_now.shift(timedelta(minutes=40))
    assert appointment_expire_holds() == 1
    booked = appointment_book(appointment=hold, reference="KX7P2M", holder_name="An")
    assert booked.status == AppointmentStatus.BOOKED


@pytest.mark.usefixtures("holds_take_every_place")
def test_expired_hold_is_refused_when_others_took_the_places(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    frozen_now.shift(timedelta(minutes=16))
    _hold(unit, procedure, key="b", phone="0912000001")
    _hold(unit, procedure, key="c", phone="0912000002")
    with pytest.raises(SlotUnavailable) as caught:
        appointment_book(appointment=hold, reference="KX7P2M", holder_name="An")
    assert caught.value.code == "full"
    assert caught.value.alternatives
    hold.refresh_from_db()
    assert hold.status == AppointmentStatus.HELD


def test_a_lowered_capacity_is_honoured_at_booking(unit, procedure, schedule, frozen_now):
    first = _hold(unit, procedure)
    second = _hold(unit, procedure, key="b", phone="0912000001")
    appointment_book(appointment=first, reference="R1", holder_name="An")
    schedule.capacity = 1
    schedule.save()
    with pytest.raises(SlotUnavailable):
        appointment_book(appointment=second, reference="R2", holder_name="Bình")


def test_closure_added_while_holding_refuses_the_booking(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 2, 0), ends_at=at(2026, 12, 3, 0), reason="Bầu cử")
    with pytest.raises(SlotUnavailable) as caught:
        appointment_book(appointment=hold, reference="R1", holder_name="An")
    assert caught.value.code == "closed"


def test_slot_passed_while_holding_is_refused(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    frozen_now.move_to(at(2026, 12, 2, 9, 1))
    with pytest.raises(SlotUnavailable) as caught:
        appointment_book(appointment=hold, reference="R1", holder_name="An")
    assert caught.value.code == "past"


def test_cancelled_hold_can_not_be_booked(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    appointment_cancel(appointment=hold)
    with pytest.raises(ValidationError) as caught:
        appointment_book(appointment=hold, reference="R1", holder_name="An")
    assert caught.value.code == "not_held"


def test_reference_and_name_are_required(unit, procedure, frozen_now):
    hold = _hold(unit, procedure)
    with pytest.raises(ValidationError) as caught:
        appointment_book(appointment=hold, reference=" ", holder_name="An")
    assert caught.value.code == "reference_required"
    with pytest.raises(ValidationError) as caught:
        appointment_book(appointment=hold, reference="R1", holder_name="  ")
    assert "holder_name" in caught.value.message_dict


def test_identity_number_given_at_booking_is_checked(unit, procedure, frozen_now):
    first = _hold(unit, procedure, id_number="079201012345")
    appointment_book(appointment=first, reference="R1", holder_name="An")
    second = appointment_hold(
        unit=unit, procedure=procedure, starts_at=at(2026, 12, 3, 9), phone="0912000009", holder_key="b"
    )
    with pytest.raises(ValidationError) as caught:
        appointment_book(appointment=second, reference="R2", holder_name="An", id_number="079201012345")
    assert caught.value.code == "already_booked"
