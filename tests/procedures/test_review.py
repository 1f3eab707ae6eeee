"""Officers review procedure requests like declarations: scoped to their units, through the back office's
workflow (allowed moves only, reason when needed, audit), the citizen told; and the counter checks them in."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.appointments.models import AppointmentStatus
from apps.backoffice import roles
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.selectors import appointment_find_for_code, roster_list, scan_code_parse
from apps.backoffice.services import appointment_check_in, filing_review_move, roles_setup
from apps.filings.models import Filing
from apps.filings.tokens import qr_token
from apps.notifications.models import Notification
from apps.units.models import PoliceUnit

from ..backoffice.factories import PASSWORD, OfficerFactory
from .journey import book


@pytest.fixture
def booked(client, demo_data, django_capture_on_commit_callbacks):
    """A vehicle registration booked through the journey (handled at the district headquarters)."""
    book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    return Filing.objects.select_related("appointment__unit", "appointment__slot").get()


@pytest.fixture
def reviewer(booked):
    roles_setup()
    return OfficerFactory(username="kiemtra.q4", units=[booked.appointment.unit], roles=[roles.REVIEWER])


@pytest.fixture
def other_reviewer(booked):
    roles_setup()
    ward = PoliceUnit.objects.get(slug="cong-an-phuong-1-quan-4")
    return OfficerFactory(username="kiemtra.p1", units=[ward], roles=[roles.REVIEWER])


@pytest.mark.django_db
def test_return_needs_a_reason_which_the_citizen_receives(booked, reviewer, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        filing_review_move(filing=booked, target="returned", user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        filing_review_move(filing=booked, target="returned", user=reviewer, reason="Thiếu hóa đơn mua xe.")
    assert Filing.objects.get().state == "returned"
    message = Notification.objects.filter(kind="filing_status_changed").get()
    assert "Thiếu hóa đơn mua xe." in message.body and "Trả lại để bổ sung" in message.body
    assert booked.events.filter(state="returned", reason="Thiếu hóa đơn mua xe.").exists()
    # Not a move the workflow lists.
    with pytest.raises(ValidationError):
        filing_review_move(filing=booked, target="ready", user=reviewer)
    filing_review_move(filing=booked, target="received", user=reviewer)
    filing_review_move(filing=booked, target="ready", user=reviewer)
    assert Filing.objects.get().state == "ready"


@pytest.mark.django_db
def test_cancelling_a_request_frees_its_place(booked, reviewer):
    filing_review_move(filing=booked, target="cancelled", user=reviewer, reason="Công dân xin hủy.")
    booked.appointment.refresh_from_db()
    assert booked.appointment.status == AppointmentStatus.CANCELLED


@pytest.mark.django_db
def test_officers_of_another_unit_neither_see_nor_move_it(client, booked, reviewer, other_reviewer):
    with pytest.raises(PermissionDenied):
        filing_review_move(filing=booked, target="received", user=other_reviewer)
    client.login(username=other_reviewer.username, password=PASSWORD)
    assert booked.code not in client.get("/admin/filings/filing/").content.decode()
    assert client.get(f"/admin/filings/filing/{booked.pk}/change/").status_code in (302, 404)
    client.login(username=reviewer.username, password=PASSWORD)
    html = client.get(f"/admin/filings/filing/{booked.pk}/change/").content.decode()
    assert "Biển số xe" in html and "59-X1 234.56" in html  # the form's labels and the normalised plate
    assert "Tiếp nhận tại quầy" in html  # the workflow's moves offered
    assert AuditLogEntry.objects.filter(username=reviewer.username, object_id=str(booked.pk)).exists()


@pytest.mark.django_db
def test_admin_state_page_moves_the_request(client, booked, reviewer):
    client.login(username=reviewer.username, password=PASSWORD)
    url = f"/admin/filings/filing/{booked.pk}/state/"
    response = client.post(url, {"target": "received", "reason": ""})
    assert response.status_code == 302
    assert Filing.objects.get().state == "received"


@pytest.mark.django_db
def test_counter_finds_it_in_the_roster_and_checks_it_in_from_the_qr(booked):
    roles_setup()
    appointment = booked.appointment
    counter = OfficerFactory(username="quay.q4", units=[appointment.unit], roles=[roles.COUNTER_OFFICER])
    day = timezone.localdate(appointment.starts_at)
    row = next(a for a in roster_list(unit=appointment.unit, day=day) if a.pk == appointment.pk)
    assert (row.reference, row.holder_name, row.procedure.slug) == (booked.code, "Nguyễn Văn An", "dang-ky-xe")
    # The QR on the done page is the identity card's: the counter's scanner reads it.
    code = scan_code_parse(text=qr_token(booked.code))
    assert appointment_find_for_code(code=code) == appointment
    appointment_check_in(appointment=appointment, user=counter, unit=appointment.unit, other_day_ok=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


@pytest.mark.django_db
def test_the_done_page_shows_the_state_and_what_to_correct(client, booked, reviewer):
    from apps.filings.selectors import filing_done_path

    filing_review_move(filing=booked, target="returned", user=reviewer, reason="Thiếu hóa đơn mua xe.")
    html = client.get(filing_done_path(filing=booked)).content.decode()
    assert "Trả lại để bổ sung" in html and "Thiếu hóa đơn mua xe." in html


@pytest.mark.django_db
def test_counter_pages_show_and_check_in_a_procedure_booking(client, booked):
    roles_setup()
    appointment = booked.appointment
    counter = OfficerFactory(username="quay2.q4", units=[appointment.unit], roles=[roles.COUNTER_OFFICER])
    client.login(username=counter.username, password=PASSWORD)
    day = timezone.localdate(appointment.starts_at).isoformat()
    html = client.get(f"/admin/quay/?unit={appointment.unit.pk}&day={day}").content.decode()
    assert booked.code in html and "Nguyễn Văn An" in html and "Đăng ký xe" in html
    response = client.post(
        f"/admin/quay/diem-danh/?unit={appointment.unit.pk}",
        {"unit": appointment.unit.pk, "scan": qr_token(booked.code), "other_day_ok": "on"},
    )
    assert response.status_code in (200, 302)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    # The booking leads the officer to the request ("Open the filing").
    html = client.get(f"/admin/quay/diem-danh/?unit={appointment.unit.pk}&t={qr_token(booked.code)}").content.decode()
    assert f"/admin/filings/filing/{booked.pk}/change/" in html
