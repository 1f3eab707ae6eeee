"""Bulk cancel asks first: the selected bookings and what happens to each, a required reason, then the
cancellation, with the officer's reason in each citizen's message."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import Appointment
from apps.backoffice import roles
from apps.notifications.models import Notification

from .factories import OfficerFactory, appointment_create, browser_sign_in

REASON = "Trụ sở tạm đóng cửa để sửa chữa điện."


def _at(days, hour=9, minute=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def unit_admin(role_groups, ward_a):
    return OfficerFactory(username="quantri.p1", units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR])


@pytest.fixture
def bookings(ward_a, ward_b):
    return {
        "a": appointment_create(unit=ward_a, starts_at=_at(2), name="NGUYỄN VĂN A", phone="+84912000001"),
        "b": appointment_create(unit=ward_a, starts_at=_at(2, 9, 15), name="TRẦN THỊ B", phone="+84912000002"),
        "came": appointment_create(unit=ward_a, starts_at=_at(0, 7), name="LÊ C", status="checked_in"),
        "other": appointment_create(unit=ward_b, starts_at=_at(2), name="PHẠM D"),
    }


def _post(client, ids, **extra):
    url = reverse("admin:appointments_appointment_changelist")
    return client.post(url, {"action": "cancel_selected", ACTION_CHECKBOX_NAME: ids, **extra})


@pytest.mark.django_db
def test_first_post_only_shows_what_will_happen(client, unit_admin, bookings):
    client.force_login(unit_admin)
    response = _post(client, [bookings["a"].pk, bookings["b"].pk, bookings["came"].pk], index=0)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sẽ hủy 2 lịch hẹn" in page
    assert "Giữ nguyên (Đã đến)" in page  # the citizen who came is left alone
    assert {a.status for a in Appointment.objects.filter(pk__in=[bookings["a"].pk, bookings["b"].pk])} == {"booked"}
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_reason_is_required(client, unit_admin, bookings):
    client.force_login(unit_admin)
    response = _post(client, [bookings["a"].pk], confirm="yes", reason="   ")
    assert "Hãy nhập lý do: công dân sẽ đọc lý do này" in response.content.decode()
    bookings["a"].refresh_from_db()
    assert bookings["a"].status == "booked"


@pytest.mark.django_db
def test_confirmed_cancel_tells_each_citizen_the_reason(
    client, unit_admin, bookings, django_capture_on_commit_callbacks
):
    client.force_login(unit_admin)
    ids = [bookings["a"].pk, bookings["b"].pk, bookings["came"].pk, bookings["other"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, ids, confirm="yes", reason=REASON)
    assert response.status_code == 302
    statuses = dict(Appointment.objects.filter(pk__in=ids).values_list("holder_name", "status"))
    # The other ward's booking is not even in this officer's list (the selection is scoped).
    assert statuses == {
        "NGUYỄN VĂN A": "cancelled",
        "TRẦN THỊ B": "cancelled",
        "LÊ C": "checked_in",
        "PHẠM D": "booked",
    }
    messages = Notification.objects.filter(kind="appointment_cancelled").order_by("phone")
    assert [m.phone for m in messages] == ["+84912000001", "+84912000002"]
    assert all(m.context["reason"] == REASON for m in messages)


def test_service_refuses_without_reason_and_other_units(db, role_groups, ward_a, ward_b, unit_admin, bookings):
    from django.core.exceptions import ValidationError

    from apps.backoffice.services import appointment_cancel_by_officer

    with pytest.raises(ValidationError):
        appointment_cancel_by_officer(appointments=[bookings["a"]], user=unit_admin, reason="")
    cancelled, refused = appointment_cancel_by_officer(
        appointments=[bookings["a"], bookings["other"]], user=unit_admin, reason=REASON
    )
    assert [a.pk for a in cancelled] == [bookings["a"].pk]
    assert [a.pk for a, _why in refused] == [bookings["other"].pk]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bulk_cancel_confirmation_in_the_browser(live_server, page, ward_a, ward_b):
    from apps.backoffice.services import roles_setup

    roles_setup()
    officer = OfficerFactory(username="quantri.p1", units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR])
    a = appointment_create(unit=ward_a, starts_at=_at(2), name="NGUYỄN VĂN A", phone="+84912000001")
    b = appointment_create(unit=ward_a, starts_at=_at(2, 9, 15), name="TRẦN THỊ B", phone="+84912000002")
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_sign_in(page, live_server.url + "/admin/appointments/appointment/", officer)
    page.wait_for_url("**/admin/appointments/appointment/")
    page.check(f"input[name=_selected_action][value='{a.pk}']")
    page.check(f"input[name=_selected_action][value='{b.pk}']")
    page.select_option("select[name=action]", "cancel_selected")
    page.click("button[name=index]")
    page.wait_for_selector("#bulk-cancel-rows")
    assert "Sẽ hủy 2 lịch hẹn" in page.inner_text("#content-main")
    # Nothing cancelled yet; an empty reason is refused in Vietnamese.
    a.refresh_from_db()
    assert a.status == "booked"
    page.fill("textarea[name=reason]", " ")
    page.click("input[type=submit].default")
    page.wait_for_selector(".errorlist")
    assert "Hãy nhập lý do" in page.inner_text(".errorlist")
    page.fill("textarea[name=reason]", REASON)
    page.click("input[type=submit].default")
    page.wait_for_url("**/admin/appointments/appointment/")
    assert "Đã hủy 2 lịch hẹn" in page.inner_text(".messagelist")
    assert set(Appointment.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"cancelled"}
    assert {m.context["reason"] for m in Notification.objects.filter(kind="appointment_cancelled")} == {REASON}


# --- The filing booked on the appointment moves too, through the filings' transitions; one audit entry -------
@pytest.mark.django_db
def test_cancelling_a_booking_cancels_its_filing_once_in_the_audit_log(
    client, unit_admin, bookings, django_capture_on_commit_callbacks
):
    from apps.backoffice.models import AuditLogEntry
    from apps.filings.models import FilingEvent

    from .factories import declaration_create

    filing = declaration_create(appointment=bookings["a"], phone="+84912000001")
    client.force_login(unit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, [bookings["a"].pk], confirm="yes", reason=REASON)
    assert response.status_code == 302
    filing.refresh_from_db()
    bookings["a"].refresh_from_db()
    assert (filing.state, bookings["a"].status, bookings["a"].cancel_reason) == ("cancelled", "cancelled", REASON)
    assert list(FilingEvent.objects.filter(filing=filing).values_list("source", "state", "reason")) == [
        ("submitted", "cancelled", REASON)
    ]
    entries = AuditLogEntry.objects.exclude(action="view")
    assert [(e.action, e.object_id, e.detail) for e in entries] == [
        ("transition", str(filing.pk), f"Đã nộp → Đã hủy: {REASON}")
    ]
    # The citizen is told once, with the officer's reason.
    sent = Notification.objects.filter(phone="+84912000001")
    assert [(m.kind, m.context["note"]) for m in sent] == [("filing_status_changed", REASON)]


@pytest.fixture
def filings(bookings):
    from .factories import declaration_create

    return {
        "a": declaration_create(appointment=bookings["a"], name="NGUYỄN VĂN A", phone="+84912000001"),
        "came": declaration_create(appointment=bookings["came"], name="LÊ C"),
        "other": declaration_create(appointment=bookings["other"], name="PHẠM D"),
    }


def _post_filings(client, ids, **extra):
    url = reverse("admin:filings_filing_changelist")
    return client.post(url, {"action": "cancel_selected", ACTION_CHECKBOX_NAME: ids, **extra})


@pytest.mark.django_db
def test_filings_list_bulk_cancel_asks_first_then_tells_the_reason(
    client, unit_admin, filings, bookings, django_capture_on_commit_callbacks
):
    from apps.filings.models import Filing

    filings["came"].state = "received"
    filings["came"].save(update_fields=["state"])
    client.force_login(unit_admin)
    ids = [filings["a"].pk, filings["came"].pk]
    page = _post_filings(client, ids, index=0).content.decode()
    assert "Sẽ hủy 1 hồ sơ" in page
    assert "Giữ nguyên (Đã tiếp nhận tại quầy)" in page
    assert Filing.objects.get(pk=filings["a"].pk).state == "submitted"
    assert "Hãy nhập lý do" in _post_filings(client, ids, confirm="yes", reason=" ").content.decode()
    assert Filing.objects.get(pk=filings["a"].pk).state == "submitted"

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_filings(client, [*ids, filings["other"].pk], confirm="yes", reason=REASON)
    assert response.status_code == 302
    states = dict(Filing.objects.values_list("holder_name", "state"))
    assert states == {"NGUYỄN VĂN A": "cancelled", "LÊ C": "received", "PHẠM D": "submitted"}
    bookings["a"].refresh_from_db()
    assert bookings["a"].status == "cancelled"
    sent = Notification.objects.filter(phone="+84912000001")
    assert [(m.kind, m.context["note"]) for m in sent] == [("filing_status_changed", REASON)]
