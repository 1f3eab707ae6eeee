"""Moving bookings: one from the roster (the citizen is told), or all those a closure leaves without a time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.appointments.selectors import slot_list_nearest
from apps.appointments.services import closure_create
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.services import appointment_move, appointment_move_affected
from apps.notifications.models import Notification
from tests.appointments.factories import BookingScheduleFactory, ProcedureFactory

from .factories import appointment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(ward_a, ward_b):
    procedure = ProcedureFactory()
    procedure.units.add(ward_a, ward_b)
    BookingScheduleFactory(unit=ward_a)
    BookingScheduleFactory(unit=ward_b)
    return procedure


def _free(unit, procedure, n=3):
    options = slot_list_nearest(
        unit=unit, procedure=procedure, near=timezone.now() + timedelta(days=3), limit=n, other_units=0
    )
    assert len(options) == n
    return options


def test_move_changes_the_time_tells_the_citizen_and_is_audited(
    counter_a, ward_a, procedure, django_capture_on_commit_callbacks
):
    first, second, _third = _free(ward_a, procedure)
    booking = appointment_create(unit=ward_a, starts_at=first.starts_at, procedure=procedure)
    with django_capture_on_commit_callbacks(execute=True):
        moved = appointment_move(appointment=booking, user=counter_a, starts_at=second.starts_at)
    assert moved.slot.starts_at == second.starts_at
    assert moved.reference == booking.reference
    message = Notification.objects.get(kind="appointment_moved")
    assert message.phone == "+84901234567"
    code = booking.reference  # the filing code, stored ungrouped; every message writes it grouped
    assert message.context["reference"] == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert message.context["time"] == f"{timezone.localtime(second.starts_at):%H:%M}"
    assert AuditLogEntry.objects.filter(action="reschedule", object_id=str(booking.pk)).exists()


def test_move_to_another_officers_unit_is_refused(counter_a, ward_a, ward_b, procedure):
    first = _free(ward_a, procedure, 1)[0]
    elsewhere = _free(ward_b, procedure, 1)[0]
    booking = appointment_create(unit=ward_a, starts_at=first.starts_at, procedure=procedure)
    with pytest.raises(Exception, match="chỉ được|only to your own units"):
        appointment_move(appointment=booking, user=counter_a, starts_at=elsewhere.starts_at, unit=ward_b)


def test_move_page(client, counter_a, ward_a, ward_b, procedure):
    first = _free(ward_a, procedure, 1)[0]
    booking = appointment_create(unit=ward_a, starts_at=first.starts_at, procedure=procedure)
    client.force_login(counter_a)
    url = reverse("backoffice:move", args=[booking.pk])
    response = client.get(url)
    choices = [value for value, _label in response.context["form"].fields["slot"].choices]
    assert choices
    assert all(value.startswith(f"{ward_a.pk}@") for value in choices)  # only the officer's units
    response = client.post(url, {"slot": choices[0]})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert f"{ward_a.pk}@{timezone.localtime(booking.slot.starts_at):%Y%m%d%H%M}" == choices[0]
    # Another unit's booking cannot be opened.
    other = appointment_create(unit=ward_b, starts_at=_free(ward_b, procedure, 1)[0].starts_at, procedure=procedure)
    assert client.get(reverse("backoffice:move", args=[other.pk])).status_code == 404
    assert client.post(reverse("backoffice:move", args=[other.pk]), {"slot": choices[0]}).status_code == 404


def test_move_page_offers_the_free_times_of_a_chosen_day(client, counter_a, ward_a, procedure):
    first, second, _third = _free(ward_a, procedure)
    booking = appointment_create(unit=ward_a, starts_at=first.starts_at, procedure=procedure)
    client.force_login(counter_a)
    day = timezone.localdate(second.starts_at)
    response = client.get(reverse("backoffice:move", args=[booking.pk]), {"day": day.isoformat()})
    options = response.context["form"].options.values()
    assert options
    assert all(timezone.localdate(o.starts_at) == day for o in options)
    assert booking.slot.starts_at not in {o.starts_at for o in options}


def test_bulk_move_after_a_closure(client, counter_a, ward_a, procedure, django_capture_on_commit_callbacks):
    # Two free times of the same day (the nearest ones may straddle a night, depending on the hour tests run).
    nearest = _free(ward_a, procedure, 12)
    first_day = timezone.localdate(nearest[0].starts_at)
    options = [o for o in nearest if timezone.localdate(o.starts_at) == first_day][:2]
    assert len(options) == 2
    bookings = [appointment_create(unit=ward_a, starts_at=o.starts_at, procedure=procedure) for o in options]
    day_start = timezone.localtime(options[0].starts_at).replace(hour=0, minute=0)
    closure_create(unit=ward_a, starts_at=day_start, ends_at=day_start + timedelta(days=1), reason="Tập huấn")
    client.force_login(counter_a)
    url = reverse("backoffice:move-affected")
    response = client.get(url)
    assert {a.appointment.pk for a in response.context["affected"]} == {b.pk for b in bookings}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"unit": ward_a.pk})
    assert response.status_code == 302
    for booking in bookings:
        booking.refresh_from_db()
        assert timezone.localdate(booking.slot.starts_at) != day_start.date()
        assert booking.status == "booked"
    assert Notification.objects.filter(kind="appointment_moved").count() == 2
    assert not client.get(url).context["affected"]


def test_bulk_move_of_another_unit_is_refused(counter_a, ward_b, procedure):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        appointment_move_affected(unit=ward_b, user=counter_a)
