"""Appointment step, confirmation code and submission: one transaction that stores the declaration, books the
held place under the new code and queues the confirmation; a lapsed hold whose place was taken sends the citizen
back to the picker with alternatives, nothing else lost."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_book, appointment_hold
from apps.filings.models import Draft, Filing
from apps.filings.tokens import receipt_token
from apps.notifications.models import Notification, OutboxMessage

from .factories import booked_declaration, free_slot, picker_post
from .test_journey import hold, walk

pytestmark = pytest.mark.django_db
CONFIRM = "/thu-tuc/cap-cccd/xac-nhan/"


def send_code(client, capture) -> str:
    with capture(execute=True):
        response = client.post(CONFIRM, {"action": "send", "pledge": "1"})
    assert response.status_code == 302
    body = OutboxMessage.objects.filter(notification__kind="otp").order_by("-id").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_appointment_step_renders_the_picker_with_a_fresh_session(client, demo_data):
    response = client.get(reverse("declarations:appointment"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="slot-picker"' in html and html.count("<h1") == 1


def test_the_picker_offers_only_units_receiving_identity_card_applications(client, demo_data):
    from apps.units.models import PoliceUnit

    html = client.get(reverse("declarations:appointment")).content.decode()
    for unit in PoliceUnit.objects.filter(receives_id_applications=False):
        assert unit.name not in html


def test_holding_without_the_earlier_steps_sends_back_to_them(client, demo_data):
    # No draft in this browser: the page that explains (issue 12.10), which leads to the first step.
    response = client.post(reverse("declarations:appointment"), picker_post(free_slot()), follow=True)
    assert response.redirect_chain == [("/thu-tuc/cap-cccd/khong-tim-thay/", 302)]
    assert 'href="/thu-tuc/cap-cccd/"' in response.content.decode()


def test_holding_a_place_then_the_check_page_shows_it(client, demo_data):
    walk(client)
    slot = free_slot()
    hold(client, slot)
    draft = Draft.objects.get()
    assert draft.hold.status == AppointmentStatus.HELD and draft.hold.slot.starts_at == slot.starts_at
    assert draft.hold.phone == "+84912345678" and draft.hold.id_number == "079090123456"
    html = client.get(reverse("declarations:check")).content.decode()
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") in html
    assert slot.unit.name in html


def test_the_whole_journey_submits_with_the_right_code(client, demo_data, django_capture_on_commit_callbacks):
    walk(client)
    hold(client)
    html = client.get(CONFIRM).content.decode()
    assert 'value="send"' in html
    code = send_code(client, django_capture_on_commit_callbacks)
    html = client.get(CONFIRM).content.decode()
    assert 'name="code"' in html
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(CONFIRM, {"action": "verify", "code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration = Filing.objects.get()
    assert response["Location"] == f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(declaration.code)}/"
    appointment = declaration.appointment
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.reference == declaration.code and appointment.holder_name == "NGUYỄN VĂN AN"
    confirmation = Notification.objects.get(kind="filing_confirmed")
    assert confirmation.phone == "+84912345678"
    assert callbacks  # delivery queued after commit
    assert OutboxMessage.objects.filter(notification=confirmation).exists()
    # the draft is closed: the cookie is dropped and a new journey starts empty
    assert response.cookies["cccd_draft"].value == ""
    html = client.get(response["Location"]).content.decode()
    assert timezone.localtime(appointment.starts_at).strftime("%d/%m/%Y") in html
    assert "lich-hen.ics" in html


def test_a_wrong_code_is_refused_beside_the_field_and_nothing_is_submitted(
    client, demo_data, django_capture_on_commit_callbacks
):
    walk(client)
    hold(client)
    code = send_code(client, django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = client.post(CONFIRM, {"action": "verify", "code": wrong}, follow=True)
    assert response.redirect_chain == [(CONFIRM, 302)]  # issue 12.9: no "confirm form resubmission"
    html = response.content.decode()
    assert 'id="id_code_error"' in html and 'id="error-summary"' in html
    assert not Filing.objects.exists()
    assert Draft.objects.get().hold.status == AppointmentStatus.HELD


def test_resending_is_rate_limited(client, demo_data, django_capture_on_commit_callbacks):
    walk(client)
    hold(client)
    send_code(client, django_capture_on_commit_callbacks)
    response = client.post(CONFIRM, {"action": "send"}, follow=True)
    assert response.status_code == 200
    assert Notification.objects.filter(kind="otp").count() == 1


def test_lapsed_hold_with_the_place_taken_goes_back_to_the_picker_with_alternatives(
    client, demo_data, django_capture_on_commit_callbacks
):
    walk(client)
    slot = free_slot()
    hold(client, slot)
    code = send_code(client, django_capture_on_commit_callbacks)
    draft = Draft.objects.get()
    # the hold lapses and other citizens book every place meanwhile
    Appointment.objects.filter(pk=draft.hold_id).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    for n in range(slot.capacity):
        other = appointment_hold(
            unit=slot.unit,
            procedure=draft.hold.procedure,
            starts_at=slot.starts_at,
            phone=f"+8491000000{n}",
            holder_key=f"other-{n}",
        )
        appointment_book(appointment=other, reference=f"OTHER{n}", holder_name="Trần Văn Bình")
    response = client.post(CONFIRM, {"action": "verify", "code": code}, follow=True)
    # Back to the picker at the lost time's day (a redirect, issue 12.9), saying why.
    ((location, status),) = response.redirect_chain
    assert status == 302 and location.startswith(reverse("declarations:appointment") + "?unit=")
    html = response.content.decode()
    assert 'id="slot-picker"' in html and "đã có người khác đăng ký" in html and "slot-alt-1" in html
    assert not Filing.objects.exists()
    # nothing else lost: answers kept, phone still confirmed; pick an alternative and submit without a new code
    alternative = re.search(r'id="slot-alt-1"\s+value="([^"]+)"', html).group(1)
    data = {**picker_post(slot), "slot": alternative}
    assert client.post(reverse("declarations:appointment"), data)["Location"] == reverse("declarations:check")
    html = client.get(CONFIRM).content.decode()
    assert 'value="submit"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"action": "submit"})
    assert response.status_code == 302
    declaration = Filing.objects.get()
    assert declaration.holder_name == "NGUYỄN VĂN AN"
    assert declaration.appointment.status == AppointmentStatus.BOOKED


def test_submit_without_a_confirmed_phone_is_refused(client, demo_data):
    walk(client)
    hold(client)
    response = client.post(CONFIRM, {"action": "submit"})
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert not Filing.objects.exists()


def test_confirm_and_appointment_pages_query_counts(client, demo_data, django_assert_max_num_queries):
    walk(client)
    hold(client)
    client.get(CONFIRM)
    with django_assert_max_num_queries(1):
        assert client.get(CONFIRM).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("declarations:appointment")).status_code == 200


def test_ics_of_a_booked_declaration(client, demo_data):
    declaration = booked_declaration()
    data = client.get(f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(declaration.code)}/lich-hen.ics")
    assert data["Content-Type"].startswith("text/calendar")
    text = data.content.decode()
    start = declaration.appointment.starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Asia/Ho_Chi_Minh:{start}" in text and declaration.code in text


def test_reschedule_from_the_lookup(client, demo_data, django_capture_on_commit_callbacks):
    declaration = booked_declaration()
    other = free_slot(skip=3)
    detail = client.post("/tra-cuu/", {"code": declaration.code, "phone": "0912345678"})["Location"]
    html = client.get(detail).content.decode()
    url = re.search(r'href="(/tra-cuu/[^"]+/doi-lich/)"', html).group(1)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, picker_post(other))
    assert response["Location"] == detail
    declaration.appointment.refresh_from_db()
    assert declaration.appointment.starts_at == other.starts_at
    assert declaration.appointment.reference == declaration.code
    assert Notification.objects.filter(kind="appointment_moved").exists()


def test_cancel_from_the_lookup_frees_the_place(client, demo_data, django_capture_on_commit_callbacks):
    declaration = booked_declaration()
    detail = client.post("/tra-cuu/", {"code": declaration.code, "birth_date": "05/09/1990"})["Location"]
    token = detail.rstrip("/").rsplit("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("filings:lookup-cancel", args=[token]))
    declaration.refresh_from_db()
    assert declaration.state == "cancelled"
    assert declaration.appointment.status == AppointmentStatus.CANCELLED
    assert Notification.objects.filter(kind="appointment_cancelled").exists()


def test_done_and_lookup_pages_query_counts(client, demo_data, django_assert_max_num_queries):
    declaration = booked_declaration()
    done = f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(declaration.code)}/"
    detail = client.post("/tra-cuu/", {"code": declaration.code, "phone": "0912345678"})["Location"]
    for url, queries in ((done, 1), (detail, 2), (done + "phieu/", 1), (done + "lich-hen.ics", 1)):
        client.get(url)
        # The lookup's page reads the filing's timeline too.
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.post("/tra-cuu/", {"code": declaration.code, "phone": "0912345678"}).status_code == 302


def test_the_unit_list_of_the_picker_is_reused_for_a_minute(client, demo_data, django_assert_max_num_queries):
    from apps.units.models import PoliceUnit

    url = reverse("declarations:appointment")
    first = client.get(url).content.decode()
    with django_assert_max_num_queries(0):
        assert client.get(url).content.decode() == first
    # choosing a unit (a GET parameter) always computes the days and their free places
    unit = PoliceUnit.objects.filter(receives_id_applications=True, booking_schedule__isnull=False).first()
    html = client.get(url, {"unit": unit.slug}).content.decode()
    assert "slot-picker" in html and unit.address in html
