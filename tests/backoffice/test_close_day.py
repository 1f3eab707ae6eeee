"""Closing a counter for a day: the officer sees the citizens affected (their unit's only), gives a reason and
confirms; then each booking is moved to the nearest free time or cancelled, each citizen's message carries the
reason, the day's roster says the counter is closed, and the unit's officers see each message's delivery status
and can resend it (bounded and audited)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import Appointment, Closure
from apps.appointments.selectors import slot_list_nearest
from apps.backoffice.models import AuditLogEntry, ClosureBooking
from apps.backoffice.services import closure_close_day
from apps.notifications.models import Notification
from tests.appointments.factories import BookingScheduleFactory, ProcedureFactory

from .factories import appointment_create, declaration_create

pytestmark = pytest.mark.django_db
REASON = "Trụ sở mất điện cả ngày."


@pytest.fixture
def procedure(ward_a, ward_b):
    procedure = ProcedureFactory()
    procedure.units.add(ward_a, ward_b)
    BookingScheduleFactory(unit=ward_a)
    BookingScheduleFactory(unit=ward_b)
    return procedure


@pytest.fixture
def day_of(ward_a, ward_b, procedure):
    """Two citizens of Ward 1 and one of Ward 8 booked on the same (open) day, three days ahead or later."""
    first = slot_list_nearest(
        unit=ward_a, procedure=procedure, near=timezone.now() + timedelta(days=3), limit=2, other_units=0
    )
    day = timezone.localdate(first[0].starts_at)
    a1 = appointment_create(unit=ward_a, starts_at=first[0].starts_at, name="NGUYỄN VĂN MỘT", procedure=procedure)
    a2 = appointment_create(
        unit=ward_a, starts_at=first[1].starts_at, name="TRẦN THỊ HAI", procedure=procedure, phone="+84912000002"
    )
    b = appointment_create(unit=ward_b, starts_at=first[0].starts_at, name="PHƯỜNG KHÁC", procedure=procedure)
    return day, a1, a2, b


def _post(client, unit, day, outcome="move", **extra):
    data = {"unit": unit.pk, "day": day.isoformat(), "reason": REASON, "outcome": outcome, **extra}
    return client.post(reverse("backoffice:close-day"), data)


def test_preview_lists_only_this_units_citizens_and_changes_nothing(client, unit_admin_a, ward_a, day_of):
    day, a1, a2, _b = day_of
    client.force_login(unit_admin_a)
    response = _post(client, ward_a, day)
    page = response.content.decode()
    assert [a.holder_name for a in response.context["affected"]] == ["NGUYỄN VĂN MỘT", "TRẦN THỊ HAI"]
    assert "PHƯỜNG KHÁC" not in page
    assert "Sẽ chuyển 2 lịch hẹn của đơn vị này sang giờ trống gần nhất" in page
    assert not Closure.objects.exists()
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}


def test_reason_is_required(client, unit_admin_a, ward_a, day_of):
    client.force_login(unit_admin_a)
    response = _post(client, ward_a, day_of[0], reason="  ", confirm="yes")
    assert "Hãy nhập lý do" in response.content.decode()
    assert not Closure.objects.exists()


def test_confirmed_closure_moves_each_citizen_with_the_reason_in_the_message(
    client, unit_admin_a, ward_a, day_of, django_capture_on_commit_callbacks
):
    day, a1, a2, b = day_of
    client.force_login(unit_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, ward_a, day, confirm="yes")
    closure = Closure.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:closure", args=[closure.pk])
    assert (closure.unit, closure.reason, timezone.localtime(closure.starts_at).date()) == (ward_a, REASON, day)
    for booking in (a1, a2):
        booking.refresh_from_db()
        assert booking.status == "booked"
        assert timezone.localdate(booking.slot.starts_at) != day
    b.refresh_from_db()
    assert timezone.localdate(b.slot.starts_at) == day  # the other ward is not touched
    moved = Notification.objects.filter(kind="appointment_moved").order_by("phone")
    assert [(m.phone, m.context["reason"]) for m in moved] == [("+84901234567", REASON), ("+84912000002", REASON)]
    assert list(ClosureBooking.objects.values_list("outcome", flat=True)) == ["moved", "moved"]
    assert AuditLogEntry.objects.filter(action="add", object_id=str(closure.pk)).count() == 1
    assert AuditLogEntry.objects.filter(action="reschedule", detail__endswith=REASON).count() == 2

    # The closed day's roster says so, and links to the citizens' messages.
    roster = client.get(reverse("backoffice:roster"), {"unit": ward_a.pk, "day": day.isoformat()}).content.decode()
    assert "Quầy nghỉ vào ngày này." in roster and REASON in roster
    assert reverse("backoffice:closure", args=[closure.pk]) in roster


def test_cancel_outcome_cancels_the_filing_and_tells_the_reason(
    client, unit_admin_a, ward_a, day_of, django_capture_on_commit_callbacks
):
    day, a1, a2, _b = day_of
    filing = declaration_create(appointment=a1)
    client.force_login(unit_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, ward_a, day, outcome="cancel", confirm="yes")
    filing.refresh_from_db()
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (filing.state, a1.status, a2.status) == ("cancelled", "cancelled", "cancelled")
    notes = sorted((m.kind, m.context.get("note") or m.context.get("reason")) for m in Notification.objects.all())
    assert notes == [("appointment_cancelled", REASON), ("filing_status_changed", REASON)]


def test_officers_see_delivery_status_and_resend(
    client, unit_admin_a, counter_a, ward_a, day_of, django_capture_on_commit_callbacks
):
    day, a1, _a2, _b = day_of
    with django_capture_on_commit_callbacks(execute=True):
        closure, _rows = closure_close_day(unit=ward_a, day=day, reason=REASON, outcome="move", user=unit_admin_a)
    first = Notification.objects.get(phone="+84901234567")
    Notification.objects.filter(pk=first.pk).update(status="failed")
    client.force_login(unit_admin_a)
    page = client.get(reverse("backoffice:closure", args=[closure.pk]))
    rows = {r.booking.appointment.holder_name: r.message.status for r in page.context["rows"]}
    assert rows == {"NGUYỄN VĂN MỘT": "failed", "TRẦN THỊ HAI": "sent"}
    assert "Lỗi kỹ thuật" in page.content.decode()

    # A counter officer may look but not resend (the resend permission is the unit administrator's).
    client.force_login(counter_a)
    assert client.get(reverse("backoffice:closure", args=[closure.pk])).status_code == 200
    assert client.post(reverse("backoffice:closure", args=[closure.pk]), {"message": [first.pk]}).status_code == 403

    client.force_login(unit_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:closure", args=[closure.pk]), {"message": [first.pk]})
    copy = Notification.objects.get(resent_from=first)
    assert copy.context["reason"] == REASON
    assert AuditLogEntry.objects.filter(action="resend", object_id=str(first.pk)).count() == 1
    rows = {
        r.booking.appointment.holder_name: r.message.pk
        for r in client.get(reverse("backoffice:closure", args=[closure.pk])).context["rows"]
    }
    assert rows["NGUYỄN VĂN MỘT"] == copy.pk


def test_ward_administrator_closes_only_their_own_unit(client, unit_admin_a, ward_b, day_of, district_admin):
    day = day_of[0]
    client.force_login(unit_admin_a)
    assert _post(client, ward_b, day, confirm="yes").status_code == 403
    with pytest.raises(PermissionDenied):
        closure_close_day(unit=ward_b, day=day, reason=REASON, outcome="move", user=unit_admin_a)
    assert not Closure.objects.exists()
    # The district administrator closes a ward's counter and sees its page; the ward's own officers see it too.
    client.force_login(district_admin)
    assert _post(client, ward_b, day, confirm="yes").status_code == 302
    closure = Closure.objects.get()
    assert closure.unit == ward_b
    assert client.get(reverse("backoffice:closure", args=[closure.pk])).status_code == 200
    listed = client.get(reverse("admin:appointments_closure_changelist")).content.decode()
    assert f'<a href="{reverse("backoffice:closure", args=[closure.pk])}">tin nhắn và gửi lại</a>' in listed
    client.force_login(unit_admin_a)
    assert client.get(reverse("backoffice:closure", args=[closure.pk])).status_code == 404
