import pytest
from django.core.exceptions import ValidationError

from apps.appointments.models import AppointmentStatus
from apps.appointments.services import appointment_book, appointment_cancel, appointment_hold

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _booked(unit, procedure):
    hold = appointment_hold(
        unit=unit, procedure=procedure, starts_at=at(2026, 12, 2, 9), phone="0912345678", holder_key="a"
    )
    return appointment_book(appointment=hold, reference="R1", holder_name="An")


def test_cancel_frees_the_place_and_notifies_once(unit, procedure, frozen_now, django_capture_on_commit_callbacks):
    booked = _booked(unit, procedure)
    calls = []
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = appointment_cancel(appointment=booked, reason="Bận việc", notify=lambda **kw: calls.append(kw))
        appointment_cancel(appointment=booked, notify=lambda **kw: calls.append(kw))
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancel_reason == "Bận việc" and cancelled.cancelled_at == NOW
    assert [c["event"] for c in calls] == ["cancelled"]


def test_an_appointment_that_took_place_can_not_be_cancelled(unit, procedure, frozen_now):
    booked = _booked(unit, procedure)
    booked.status = AppointmentStatus.CHECKED_IN
    booked.save()
    with pytest.raises(ValidationError) as caught:
        appointment_cancel(appointment=booked)
    assert caught.value.code == "cannot_cancel"
