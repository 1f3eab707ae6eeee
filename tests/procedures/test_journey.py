"""The generic journey: every procedure with a registered form is booked the same way as the identity card, with
the appointments, notifications and codes services (no booking, OTP or QR logic of its own)."""

import re
from datetime import timedelta

import pytest

from apps.appointments.models import Appointment, AppointmentStatus
from apps.core.codes import code_format, code_is_valid
from apps.filings.models import Draft, Filing
from apps.notifications.models import Notification

from .journey import book, first_free_slot, sample_data

FOUR = ["ho-chieu", "dang-ky-xe", "dang-ky-cu-tru", "tam-tru-nguoi-nuoc-ngoai"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", FOUR)
def test_each_procedure_is_booked_end_to_end(client, demo_data, django_capture_on_commit_callbacks, slug):
    response = book(client, django_capture_on_commit_callbacks, slug)
    html = response.content.decode()
    request = Filing.objects.get(procedure__slug=slug)
    assert request.state == "submitted" and code_is_valid(request.code)
    assert code_format(request.code) in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    # The appointment carries procedure, reference code and holder name, like the identity card's.
    appointment = Appointment.objects.get(reference=request.code)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.procedure == request.procedure
    assert appointment.holder_name == "Nguyễn Văn An"
    assert appointment.phone == "+84901234567"
    assert appointment.id_number == ("" if slug == "tam-tru-nguoi-nuoc-ngoai" else "079203001234")
    assert appointment.unit in request.procedure.units.all()
    assert request.appointment == appointment
    # The confirmation message went out through notifications, in the citizen's language.
    message = Notification.objects.get(kind="procedure_booked")
    assert message.phone == "+84901234567" and message.language == "vi"
    assert request.procedure.name in message.body and code_format(request.code) in message.body
    # QR (the identity card's signed-code QR) and calendar file.
    qr = client.get(re.search(r'src="([^"]+qr\.png)"', html).group(1))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    ics = client.get(re.search(r'href="([^"]+\.ics)"', html).group(1))
    assert b"BEGIN:VEVENT" in ics.content


@pytest.mark.django_db
def test_form_errors_keep_what_was_typed(client, demo_data):
    data = {**sample_data("dang-ky-xe"), "vehicle_type": "car"}
    response = client.post("/thu-tuc/dang-ky-xe/", data, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/thu-tuc/dang-ky-xe/", 302)]  # issue 12.9: reload never resends it
    assert "Đây là biển số xe máy" in html
    # Next to the field, linked to it for screen readers, and listed in the summary at the top.
    assert 'aria-invalid="true"' in html and 'id="id_plate_error"' in html
    assert 'href="#f-plate"' in html
    assert 'value="079203001234"' in html and 'value="Nguyễn Văn An"' in html
    assert Filing.objects.count() == 0


@pytest.mark.django_db
def test_show_wards_refreshes_the_list_without_errors(client, demo_data):
    data = {**sample_data("dang-ky-cu-tru"), "province": "1", "_refresh": "1"}
    html = client.post("/thu-tuc/dang-ky-cu-tru/", data, follow=True).content.decode()
    assert '<option value="4">Phường Ba Đình</option>' in html and 'value="27259"' not in html
    assert "invalid-feedback" not in html and "alert-danger" not in html
    assert 'value="079203001234"' in html


@pytest.mark.django_db
def test_going_back_updates_the_same_draft(client, demo_data):
    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    html = client.get("/thu-tuc/ho-chieu/").content.decode()
    assert 'value="C1234567"' in html
    client.post("/thu-tuc/ho-chieu/", {**sample_data("ho-chieu"), "purpose": "study"})
    assert Draft.objects.get().data["form"]["purpose"] == "study"


@pytest.mark.django_db
def test_later_steps_without_a_draft_go_back_to_the_form(client, demo_data):
    # Issue 12.10: a page that explains (cookies lost, another phone) and leads back to the form.
    for step in ("dat-lich", "xac-nhan"):
        response = client.get(f"/thu-tuc/ho-chieu/{step}/", follow=True)
        assert response.redirect_chain == [("/thu-tuc/ho-chieu/khong-tim-thay/", 302)]
        html = response.content.decode()
        assert "Chúng tôi không tìm thấy câu trả lời của bạn trên trình duyệt này" in html
        assert 'href="/thu-tuc/ho-chieu/"' in html


@pytest.mark.django_db
def test_confirm_without_a_held_time_goes_to_the_picker(client, demo_data):
    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    response = client.get("/thu-tuc/ho-chieu/xac-nhan/")
    assert response["Location"] == "/thu-tuc/ho-chieu/dat-lich/"


@pytest.mark.django_db
def test_picker_offers_only_the_units_of_the_procedure(client, demo_data):
    client.post("/thu-tuc/dang-ky-xe/", sample_data("dang-ky-xe"))
    html = client.get("/thu-tuc/dang-ky-xe/dat-lich/").content.decode()
    # Vehicle registration is handled at the district headquarters only: the picker skips the unit step.
    assert "Công an Quận 4" in html
    assert "Công an Phường 1, Quận 4" not in html


@pytest.mark.django_db
def test_wrong_code_is_refused_with_tries_left(client, demo_data, django_capture_on_commit_callbacks):
    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    from apps.procedures.models import Procedure

    slot = first_free_slot(Procedure.objects.get(slug="ho-chieu"))
    client.post("/thu-tuc/ho-chieu/dat-lich/", {"slot": slot.value})
    html = client.post(
        "/thu-tuc/ho-chieu/xac-nhan/", {"action": "verify", "code": "123456"}, follow=True
    ).content.decode()
    assert "Vui lòng xác nhận số điện thoại bằng mã đã gửi trước." in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "send"})
    from .journey import sent_code

    wrong = f"{(int(sent_code()) + 1) % 1000000:06d}"
    response = client.post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "verify", "code": wrong}, follow=True)
    assert (
        response.redirect_chain == [("/thu-tuc/ho-chieu/xac-nhan/", 302)]
        and 'id="id_code_error"' in response.content.decode()
    )
    assert not Filing.objects.exists()
    assert Appointment.objects.get().status == AppointmentStatus.HELD


@pytest.mark.django_db
def test_done_page_needs_a_valid_token(client, demo_data):
    assert client.get("/thu-tuc/ho-chieu/hoan-tat/K7MX3PQ9R.forged/").status_code == 404


@pytest.mark.django_db
def test_identity_card_start_is_not_served_by_this_app(client, demo_data):
    from django.urls import resolve

    assert resolve("/thu-tuc/cap-cccd/").namespace == "declarations"
    assert resolve("/thu-tuc/ho-chieu/").namespace == "procedures"
    assert resolve("/thu-tuc/cap-cccd/gioi-thieu/").namespace == "procedures"


@pytest.mark.django_db
def test_changing_the_phone_after_choosing_a_time_asks_for_the_time_again(client, demo_data):
    from apps.procedures.models import Procedure

    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    slot = first_free_slot(Procedure.objects.get(slug="ho-chieu"))
    client.post("/thu-tuc/ho-chieu/dat-lich/", {"slot": slot.value})
    assert Draft.objects.get().hold is not None
    client.post("/thu-tuc/ho-chieu/", {**sample_data("ho-chieu"), "phone": "0912 345 678"})
    assert Draft.objects.get().data["form"]["phone"] == "0912 345 678"
    assert client.get("/thu-tuc/ho-chieu/xac-nhan/")["Location"] == "/thu-tuc/ho-chieu/dat-lich/"


@pytest.mark.django_db
def test_slip_image_for_zalo_users(client, demo_data, django_capture_on_commit_callbacks):
    html = book(client, django_capture_on_commit_callbacks, "dang-ky-xe").content.decode()
    slip = client.get(re.search(r'href="([^"]+phieu\.png)"', html).group(1))
    assert slip.status_code == 200 and slip["Content-Type"] == "image/png"
    assert slip.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
def test_a_lost_hold_sends_the_citizen_back_to_the_picker_with_a_message(client, demo_data):
    from apps.procedures.models import Procedure

    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    client.post("/thu-tuc/ho-chieu/dat-lich/", {"slot": first_free_slot(Procedure.objects.get(slug="ho-chieu")).value})
    Appointment.objects.update(status=AppointmentStatus.EXPIRED)
    response = client.get("/thu-tuc/ho-chieu/xac-nhan/", follow=True)
    assert response.redirect_chain[-1][0] == "/thu-tuc/ho-chieu/dat-lich/"
    assert "Giờ bạn đã chọn không còn được giữ" in response.content.decode()


@pytest.mark.django_db
def test_citizen_moves_then_cancels_from_the_done_page(client, demo_data, django_capture_on_commit_callbacks):
    from apps.appointments.selectors import slot_list_available

    done = book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    done_url = done.request["PATH_INFO"]
    html = done.content.decode()
    request = Filing.objects.get()
    appointment = Appointment.objects.get(reference=request.code)
    first_start = appointment.starts_at
    assert f'href="{done_url}doi-lich/"' in html and f'href="{done_url}huy/"' in html
    # Move: the done page's address leads to the one lookup's pages for this filing; the code stays.
    move_url = client.get(f"{done_url}doi-lich/")["Location"]
    assert move_url.startswith("/tra-cuu/") and move_url.endswith("/doi-lich/")
    later = next(
        slot
        for day in slot_list_available(
            unit=appointment.unit,
            procedure=request.procedure,
            start=first_start.date(),
            end=first_start.date() + timedelta(days=30),
        )
        for slot in day.slots
        if slot.free and slot.starts_at > first_start
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(move_url, {"slot": later.value})
    assert response.status_code == 302 and response["Location"] == move_url.removesuffix("doi-lich/")
    appointment.refresh_from_db()
    assert appointment.starts_at == later.starts_at and appointment.reference == request.code
    assert Notification.objects.filter(kind="appointment_moved", phone="+84901234567").exists()
    # Cancel: a confirmation page, then the POST.
    cancel_url = client.get(f"{done_url}huy/")["Location"]
    assert "Có, hủy hồ sơ" in client.get(cancel_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_url)
    appointment.refresh_from_db()
    request.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED and request.state == "cancelled"
    assert Notification.objects.filter(kind="appointment_cancelled").exists()
    html = client.get(done_url).content.decode()
    assert "Lịch hẹn đã được hủy" in html and "doi-lich/" not in html


@pytest.mark.django_db
def test_the_journey_speaks_english_under_en(client, demo_data):
    html = client.get("/en/thu-tuc/dang-ky-xe/").content.decode()
    assert '<html lang="en">' in html and "Plate number" in html and "Continue: choose a time" in html
    response = client.post("/en/thu-tuc/dang-ky-xe/", {**sample_data("dang-ky-xe"), "plate": "51F-123.45"}, follow=True)
    assert "This is a car plate (e.g. 51F-123.45), but the vehicle is a motorbike." in response.content.decode()
    response = client.post("/en/thu-tuc/dang-ky-xe/", sample_data("dang-ky-xe"))
    assert response["Location"] == "/en/thu-tuc/dang-ky-xe/dat-lich/"
    assert Draft.objects.exists() and not Filing.objects.exists()


@pytest.mark.django_db
def test_pages_keep_to_a_query_budget(
    client, demo_data, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get("/thu-tuc/dang-ky-cu-tru/")
    done_url = book(client, django_capture_on_commit_callbacks, "dang-ky-cu-tru").request["PATH_INFO"]
    with django_assert_max_num_queries(8):
        assert client.get(done_url).status_code == 200


@pytest.mark.django_db
def test_a_confirmed_phone_needs_no_second_code(client, demo_data, django_capture_on_commit_callbacks):
    from apps.filings.services import draft_verify_code
    from apps.procedures.models import Procedure

    from .journey import sent_code

    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    client.post("/thu-tuc/ho-chieu/dat-lich/", {"slot": first_free_slot(Procedure.objects.get(slug="ho-chieu")).value})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "send"})
    # Confirmed once (then, say, sent back to the picker): the page asks for no second code.
    draft_verify_code(draft=Draft.objects.get(), code=sent_code())
    html = client.get("/thu-tuc/ho-chieu/xac-nhan/").content.decode()
    assert 'name="code"' not in html and "đã được xác nhận" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "verify"})
    assert "/hoan-tat/" in response["Location"]
    assert Filing.objects.get().state == "submitted"
