"""Check-in at the counter: the scan is read, the booking found, the arrival recorded, and every wrong case
(another unit, another day, cancelled, already checked in, forged or unknown code) is refused with a clear
message."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import AppointmentStatus
from apps.backoffice.models import Arrival, AuditLogEntry
from apps.backoffice.selectors import scan_code_parse
from apps.backoffice.services import appointment_check_in, appointment_mark_no_show
from apps.core.codes import code_format

from .factories import appointment_create

pytestmark = pytest.mark.django_db


def _today_at(hour, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def booking(ward_a):
    return appointment_create(unit=ward_a, starts_at=_today_at(8, 30))


# --- Reading what was scanned ---------------------------------------------------------------------------------
def test_scan_accepts_the_code_typed_by_hand_in_any_form(booking):
    code = booking.reference
    for typed in (code, code.lower(), code_format(code), f"  {code_format(code).lower()} "):
        assert scan_code_parse(text=typed) == code


def test_scan_accepts_an_address_carrying_the_code(booking):
    code = booking.reference
    assert scan_code_parse(text=f"https://cong.example.vn/admin/quay/diem-danh/?t={code}") == code
    assert scan_code_parse(text=f"http://127.0.0.1:8000/tra-cuu/{code}/") == code


@pytest.mark.parametrize("text", ["", "   ", "HELLO", "ABCDEFGHJ", "https://example.com/"])
def test_scan_refuses_what_is_not_a_code(text):
    with pytest.raises(ValidationError):
        scan_code_parse(text=text)


def test_scan_accepts_the_qr_token_of_the_done_page(booking):
    from apps.filings.tokens import qr_token, receipt_token

    assert scan_code_parse(text=qr_token(booking.reference)) == booking.reference
    # A phone camera opening the done page's address: the receipt token in the path.
    done = f"http://127.0.0.1:8000/thu-tuc/cap-cccd/hoan-tat/{receipt_token(booking.reference)}/"
    assert scan_code_parse(text=done) == booking.reference


def test_scan_refuses_a_forged_token(booking):
    with pytest.raises(ValidationError) as error:
        scan_code_parse(text=f"{booking.reference}.Zm9yZ2VkLXNpZ25hdHVyZQ")
    assert error.value.code == "forged"


# --- The service ----------------------------------------------------------------------------------------------
def test_check_in_records_the_arrival(counter_a, ward_a, booking):
    arrival = appointment_check_in(appointment=booking, user=counter_a, unit=ward_a)
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CHECKED_IN
    assert (arrival.officer, arrival.unit, arrival.other_day) == (counter_a, ward_a, False)
    entry = AuditLogEntry.objects.get(action="check_in")
    assert (entry.user, entry.object_id, entry.unit) == (counter_a, str(booking.pk), ward_a)


def test_duplicate_check_in_is_refused_with_who_and_when(counter_a, ward_a, booking):
    appointment_check_in(appointment=booking, user=counter_a, unit=ward_a)
    with pytest.raises(ValidationError) as error:
        appointment_check_in(appointment=booking, user=counter_a, unit=ward_a)
    assert error.value.code == "duplicate"
    assert "Nguyễn Văn An" in " ".join(error.value.messages)
    assert Arrival.objects.count() == 1


def test_other_day_needs_the_officers_confirmation(counter_a, ward_a):
    tomorrow = appointment_create(unit=ward_a, starts_at=_today_at(9, days=1))
    with pytest.raises(ValidationError) as error:
        appointment_check_in(appointment=tomorrow, user=counter_a, unit=ward_a)
    assert error.value.code == "other_day"
    arrival = appointment_check_in(appointment=tomorrow, user=counter_a, unit=ward_a, other_day_ok=True)
    assert arrival.other_day


def test_other_units_booking_is_refused(counter_a, ward_a, ward_b):
    elsewhere = appointment_create(unit=ward_b, starts_at=_today_at(9))
    with pytest.raises(ValidationError) as error:
        appointment_check_in(appointment=elsewhere, user=counter_a, unit=ward_a)
    assert error.value.code == "other_unit"
    # Even naming the other unit as the counter does not work for an officer who does not belong to it.
    with pytest.raises(ValidationError):
        appointment_check_in(appointment=elsewhere, user=counter_a, unit=ward_b)
    elsewhere.refresh_from_db()
    assert elsewhere.status == "booked"


@pytest.mark.parametrize(("status", "code"), [("cancelled", "cancelled"), ("expired", "not_booked")])
def test_cancelled_and_unbooked_are_refused(counter_a, ward_a, status, code):
    appointment = appointment_create(unit=ward_a, starts_at=_today_at(10), status=status)
    with pytest.raises(ValidationError) as error:
        appointment_check_in(appointment=appointment, user=counter_a, unit=ward_a)
    assert error.value.code == code


def test_a_late_citizen_marked_as_missed_is_checked_in(counter_a, ward_a):
    # Half an hour late, in the middle of the day (just after midnight, half an hour ago was yesterday).
    with time_machine.travel(
        datetime.combine(timezone.localdate(), time(10, 0), tzinfo=timezone.get_current_timezone())
    ):
        _late_citizen_is_checked_in(counter_a, ward_a)


def _late_citizen_is_checked_in(counter_a, ward_a):
    appointment = appointment_create(unit=ward_a, starts_at=timezone.now() - timedelta(minutes=30))
    appointment_mark_no_show(appointment=appointment, user=counter_a)
    assert appointment.status == "no_show"
    appointment_check_in(appointment=appointment, user=counter_a, unit=ward_a)
    assert appointment.status == "checked_in"


def test_no_show_only_after_the_time_has_begun(counter_a, ward_a):
    later = appointment_create(unit=ward_a, starts_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        appointment_mark_no_show(appointment=later, user=counter_a)
    assert error.value.code == "too_early"


# --- The page -------------------------------------------------------------------------------------------------
def _scan(client, unit, text, **extra):
    return client.post(reverse("backoffice:check-in"), {"unit": unit.pk, "scan": text, **extra})


def test_scanning_checks_in_and_shows_the_record(client, counter_a, ward_a, booking):
    client.force_login(counter_a)
    response = _scan(client, ward_a, code_format(booking.reference))
    assert response.status_code == 200
    assert response.context["outcome"] == "done"
    page = response.content.decode()
    assert booking.holder_name in page
    assert "090****567" in page
    assert "0901234567" not in page
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    # Scanning again warns.
    response = _scan(client, ward_a, booking.reference)
    assert response.context["outcome"] == "duplicate"


def test_camera_opening_the_address_shows_the_booking_and_asks_to_confirm(client, counter_a, ward_a, booking):
    client.force_login(counter_a)
    response = client.get(reverse("backoffice:check-in"), {"t": booking.reference, "unit": ward_a.pk})
    assert response.context["outcome"] == "confirm"
    booking.refresh_from_db()
    assert booking.status == "booked"  # a GET changes nothing
    assert AuditLogEntry.objects.filter(action="view", object_id=str(booking.pk)).exists()


def test_scanning_another_units_code_tells_where_and_shows_nothing(client, counter_a, ward_a, ward_b):
    elsewhere = appointment_create(unit=ward_b, starts_at=_today_at(9), name="TRẦN THỊ BÍ MẬT")
    client.force_login(counter_a)
    response = _scan(client, ward_a, elsewhere.reference)
    assert response.context["outcome"] == "other_unit"
    page = response.content.decode()
    assert "TRẦN THỊ BÍ MẬT" not in page
    assert ward_b.name in page
    elsewhere.refresh_from_db()
    assert elsewhere.status == "booked"


def test_a_counter_of_another_unit_cannot_be_chosen(client, counter_a, ward_a, ward_b):
    elsewhere = appointment_create(unit=ward_b, starts_at=_today_at(9))
    client.force_login(counter_a)
    response = _scan(client, ward_b, elsewhere.reference)  # the unit parameter is ignored: not theirs
    assert response.context["unit"] == ward_a
    elsewhere.refresh_from_db()
    assert elsewhere.status == "booked"


def test_unknown_and_unreadable_codes(client, counter_a, ward_a):
    from apps.core.codes import code_generate

    client.force_login(counter_a)
    response = _scan(client, ward_a, code_generate())
    assert response.context["form"].errors["scan"]
    response = _scan(client, ward_a, "xin chao")
    assert "không phải mã" in " ".join(response.context["form"].errors["scan"]).lower()


def test_wrong_day_and_confirmation_on_the_page(client, counter_a, ward_a):
    tomorrow = appointment_create(unit=ward_a, starts_at=_today_at(9, days=1))
    client.force_login(counter_a)
    response = _scan(client, ward_a, tomorrow.reference)
    assert response.context["outcome"] == "other_day"
    assert "Vẫn xác nhận" in response.content.decode()
    response = _scan(client, ward_a, tomorrow.reference, other_day_ok="on")
    assert response.context["outcome"] == "done"


def test_an_officer_without_the_check_in_role_cannot_check_in(client, role_groups, ward_a, booking):
    from apps.backoffice import roles

    from .factories import OfficerFactory

    editor = OfficerFactory(units=[ward_a], roles=[roles.NEWS_EDITOR])
    client.force_login(editor)
    assert _scan(client, ward_a, booking.reference).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_no_show_button(client, counter_a, ward_a, ward_b):
    started = appointment_create(unit=ward_a, starts_at=timezone.now() - timedelta(minutes=20))
    other = appointment_create(unit=ward_b, starts_at=timezone.now() - timedelta(minutes=20))
    client.force_login(counter_a)
    response = client.post(reverse("backoffice:no-show", args=[started.pk]))
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == "no_show"
    assert client.post(reverse("backoffice:no-show", args=[other.pk])).status_code == 404
    assert client.get(reverse("backoffice:no-show", args=[started.pk])).status_code == 405


def test_arrivals_list_is_scoped_and_cheap(client, counter_a, ward_a, ward_b, district_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own = appointment_create(unit=ward_a, starts_at=_today_at(8))
    other = appointment_create(unit=ward_b, starts_at=_today_at(8))
    appointment_check_in(appointment=own, user=counter_a, unit=ward_a)
    appointment_check_in(appointment=other, user=district_admin, unit=ward_b)
    client.force_login(counter_a)
    url = reverse("admin:backoffice_arrival_changelist")
    response = client.get(url)
    assert [a.appointment_id for a in response.context["cl"].result_list] == [own.pk]
    other_arrival = Arrival.objects.get(appointment=other)
    assert client.get(reverse("admin:backoffice_arrival_change", args=[other_arrival.pk])).status_code == 404

    client.force_login(district_admin)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    few = count()
    for minute in range(15, 60, 5):
        extra = appointment_create(unit=ward_b, starts_at=_today_at(9, minute))
        appointment_check_in(appointment=extra, user=district_admin, unit=ward_b)
    assert count() == few <= 14
