"""A walk-in or a phone booking from the counter: the officer picks a free time of the day at their unit (the
citizens' lead time does not apply, capacity does), types the name and phone; a filing and its booking are made
by the citizens' own services, the citizen gets the confirmation, and a walk-in is checked in with a queue
number."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.appointments.selectors import availability_changed
from apps.appointments.services import SlotUnavailable
from apps.backoffice.models import Arrival, AuditLogEntry
from apps.backoffice.services import appointment_book_at_counter
from apps.filings.models import Filing
from apps.notifications.models import Notification
from tests.appointments.factories import BookingScheduleFactory, ProcedureFactory

from .factories import appointment_create

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=VN)  # a Tuesday morning; the office opens 07:30–11:30


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def procedure(ward_a, ward_b):
    procedure = ProcedureFactory()
    procedure.units.add(ward_a, ward_b)
    BookingScheduleFactory(unit=ward_a)  # 15 minutes, 2 places, 2 hours' lead time for citizens
    BookingScheduleFactory(unit=ward_b)
    return procedure


def _page(client, unit, day="2026-12-01"):
    return client.get(reverse("backoffice:book"), {"unit": unit.pk, "day": day})


def test_walk_in_is_booked_now_checked_in_and_told(
    client, counter_a, ward_a, procedure, django_capture_on_commit_callbacks
):
    appointment_create(unit=ward_a, starts_at=datetime(2026, 12, 1, 8, 30, tzinfo=VN), procedure=procedure)
    appointment_create(unit=ward_a, starts_at=datetime(2026, 12, 1, 8, 30, tzinfo=VN), procedure=procedure)
    availability_changed()  # the factory writes rows directly, past the services that say so
    client.force_login(counter_a)
    choices = [label for _value, label in _page(client, ward_a).context["form"].fields["slot"].choices]
    # Within the citizens' two hours' lead time, the 08:30 slot full (2 of 2), 08:00 already begun.
    assert choices[:3] == ["08:15 (2)", "08:45 (2)", "09:00 (2)"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:book"),
            {
                "unit": ward_a.pk,
                "procedure": procedure.pk,
                "slot": f"{ward_a.pk}@202612010815",
                "holder_name": "  Lê   Thị Hoa ",
                "phone": "0912 345 678",
                "id_number": "079303004567",
                "check_in": "on",
            },
        )
    assert response.status_code == 302
    filing = Filing.objects.get()
    appointment = filing.appointment
    assert (filing.holder_name, str(filing.phone), filing.state) == ("Lê Thị Hoa", "+84912345678", "received")
    assert (appointment.reference, appointment.status, appointment.unit) == (filing.code, "checked_in", ward_a)
    assert Arrival.objects.get().queue_number == 1
    assert [m.kind for m in Notification.objects.filter(phone="+84912345678")] == ["filing_confirmed"]
    assert AuditLogEntry.objects.filter(action="add", object_id=str(filing.pk), detail__startswith="tại quầy").exists()


def test_phone_booking_for_a_later_day_is_not_checked_in(client, counter_a, ward_a, procedure):
    client.force_login(counter_a)
    page = _page(client, ward_a, day="2026-12-03")
    assert page.context["form"].initial["check_in"] is False
    response = client.post(
        reverse("backoffice:book"),
        {
            "unit": ward_a.pk,
            "procedure": procedure.pk,
            "day": "2026-12-03",
            "slot": f"{ward_a.pk}@202612030930",
            "holder_name": "Phạm Văn Bình",
            "phone": "+84 912 000 111",
        },
    )
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert filing.appointment.status == "booked"
    assert not Arrival.objects.exists()


def test_bad_input_is_explained_and_kept(client, counter_a, ward_a, procedure):
    client.force_login(counter_a)
    data = {"unit": ward_a.pk, "procedure": procedure.pk, "slot": f"{ward_a.pk}@202612010815"}
    response = client.post(reverse("backoffice:book"), {**data, "holder_name": "Lê Hoa", "phone": "12345"})
    assert "Vui lòng nhập số điện thoại di động Việt Nam" in response.content.decode()
    assert response.context["form"].data["holder_name"] == "Lê Hoa"
    # A walk-in "here now" on a later day is refused before anything is booked.
    later = {
        **data,
        "day": "2026-12-03",
        "slot": f"{ward_a.pk}@202612030930",
        "holder_name": "Lê Hoa",
        "phone": "0912345678",
    }
    response = client.post(reverse("backoffice:book"), {**later, "check_in": "on"})
    assert "Chỉ có thể ghi nhận đến" in response.content.decode()
    assert not Filing.objects.exists()


def test_capacity_and_units_are_respected(counter_a, ward_a, ward_b, procedure):
    full = datetime(2026, 12, 1, 9, 0, tzinfo=VN)
    appointment_create(unit=ward_a, starts_at=full, procedure=procedure)
    appointment_create(unit=ward_a, starts_at=full, procedure=procedure)
    with pytest.raises(SlotUnavailable) as refused:
        appointment_book_at_counter(
            user=counter_a, unit=ward_a, procedure=procedure, starts_at=full, holder_name="A", phone="0912345678"
        )
    assert refused.value.code == "full"
    with pytest.raises(PermissionDenied):
        appointment_book_at_counter(
            user=counter_a, unit=ward_b, procedure=procedure, starts_at=full, holder_name="A", phone="0912345678"
        )
    with pytest.raises(ValidationError):
        appointment_book_at_counter(
            user=counter_a, unit=ward_a, procedure=procedure, starts_at=full, holder_name="", phone="0912345678"
        )
    assert not Filing.objects.exists()
