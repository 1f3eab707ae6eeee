"""Citizens file reports: validation next to the field, anonymity, photos, limits and the status page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.core.codes import code_format
from apps.notifications.models import OutboxMessage
from apps.reports.models import Report, ReportEvent, ReportPhoto, ReportStatus
from tests.news.factories import exif_with_gps, image_upload
from tests.units.factories import WardUnitFactory

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
CLIENT_IP = "203.0.113.77"


@pytest.fixture
def ward():
    return WardUnitFactory(name="Công an Phường 9, Quận 4")


def _data(ward, **extra):
    data = {
        "category": "crime",
        "description": "Tôi bị giật túi xách khi đang đi bộ trên đường.",
        "unit": ward.pk,
        "address": "52 Tôn Thất Thuyết",
        "occurred_at": "2026-01-05T21:30",
        "contact_phone": "0912 345 678",
        "contact_name": "Nguyễn Văn Dân",
        "accept_notice": "on",
    }
    data.update(extra)
    return data


def _post(client, data, **kwargs):
    return client.post("/phan-anh/", data, REMOTE_ADDR=CLIENT_IP, **kwargs)


def _errors(response) -> dict:
    return response.context["form"].errors


def _sent_code(phone="+84912345678") -> str:
    body = OutboxMessage.objects.filter(notification__kind="otp", notification__phone=phone).latest("pk").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_a_report_with_contact_is_confirmed_by_a_code_then_gets_a_tracking_code(
    client, ward, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _data(ward))
    assert response.status_code == 302 and response["Location"] == "/phan-anh/xac-nhan/"
    report = Report.objects.get()
    assert report.confirmed_at is None  # not in any queue before the phone is confirmed
    assert str(report.contact_phone) == "+84912345678" and report.contact_name == "Nguyễn Văn Dân"
    page = client.get("/phan-anh/xac-nhan/").content.decode()
    assert "0912 *** 678" in page and len(re.findall(r"<h1[\s>]", page)) == 1
    response = client.post("/phan-anh/xac-nhan/", {"code": "000000" if _sent_code() != "000000" else "111111"})
    assert response.status_code == 400 and "code" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/phan-anh/xac-nhan/", {"code": _sent_code()})
    assert response["Location"] == "/phan-anh/da-gui/"
    report.refresh_from_db()
    assert report.confirmed_at and report.unit == ward and report.status == ReportStatus.RECEIVED
    assert report.due_at > report.created_at
    done = client.get("/phan-anh/da-gui/").content.decode()
    assert report.code in done
    assert len(re.findall(r"<h1[\s>]", done)) == 1
    # The reporter gets the tracking code and the status page, never the content of the report.
    received = OutboxMessage.objects.get(notification__kind="report_received")
    assert code_format(report.code) in received.body and "/phan-anh/tra-cuu/" in received.body
    assert "túi xách" not in received.body


def test_the_confirmation_page_without_a_pending_report_goes_back_to_the_form(client):
    assert client.get("/phan-anh/xac-nhan/")["Location"] == "/phan-anh/"
    assert client.post("/phan-anh/xac-nhan/", {"code": "123456"})["Location"] == "/phan-anh/"


def test_a_new_code_can_be_asked_for_but_not_too_often(client, ward, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _data(ward))
    response = client.post("/phan-anh/xac-nhan/", {"resend": "1"})
    assert response.status_code == 429 and "một phút" in response.content.decode()


def test_unconfirmed_reports_are_purged_after_a_day(client, ward):
    from datetime import timedelta

    from django.utils import timezone

    from apps.privacy.services.purge import personal_data_purge_expired

    ReportFactory(unit=ward, confirmed_at=None, created_at=timezone.now() - timedelta(days=2))
    kept = ReportFactory(unit=ward, confirmed_at=None)
    assert personal_data_purge_expired()["unconfirmed_reports"] == 1
    assert list(Report.objects.all()) == [kept]


def test_without_a_ward_the_report_goes_to_the_district(client, ward):
    _post(client, _data(ward, unit="", address="Trước chợ", is_anonymous="on"))
    assert Report.objects.get().unit == ward.parent


def test_without_a_ward_an_address_naming_one_station_routes_the_report_there(client, ward):
    ward.area_served = "Phường 9 (cũ), Quận 4"
    ward.save()
    _post(client, _data(ward, unit="", address="Hẻm 52 Tôn Thất Thuyết, P.9, Q.4", is_anonymous="on"))
    assert Report.objects.get().unit == ward


def test_phone_is_required_unless_anonymous_and_nothing_typed_is_lost(client, ward):
    response = _post(client, _data(ward, contact_phone=""))
    assert response.status_code == 400
    assert "ẩn danh" in str(_errors(response)["contact_phone"])
    html = response.content.decode()
    assert "Tôi bị giật túi xách" in html and "52 Tôn Thất Thuyết" in html
    assert not Report.objects.exists()


def test_an_invalid_phone_is_refused_next_to_the_field(client, ward):
    response = _post(client, _data(ward, contact_phone="12ab"))
    assert "0912 345 678" in str(_errors(response)["contact_phone"])


def test_an_anonymous_report_stores_nothing_identifying(client, ward, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = image_upload(size=(800, 600), exif=exif_with_gps())
    response = _post(client, _data(ward, is_anonymous="on", photos=[photo]), HTTP_USER_AGENT="Zalo android/1211")
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.is_anonymous
    assert (report.contact_name, str(report.contact_phone or ""), report.zalo_user_id) == ("", "", "")
    # Nothing anywhere in the report's rows mentions the phone, the name, the address of the client or its browser.
    with connection.cursor() as cursor:
        dumped = ""
        for table in (Report._meta.db_table, ReportEvent._meta.db_table, ReportPhoto._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")
            dumped += repr(cursor.fetchall())
    for needle in ("912345678", "Nguyễn Văn Dân", CLIENT_IP, "Zalo android"):
        assert needle not in dumped
    data = ReportPhoto.objects.get().image.read()
    assert b"Exif" not in data and b"SecretCamera" not in data


def test_anonymous_status_shows_only_the_status_with_the_code_alone(client, ward):
    report = ReportFactory(unit=ward, is_anonymous=True, contact_phone="", description="Nội dung bí mật")
    html = client.post("/phan-anh/tra-cuu/", {"code": report.code.lower()}).content.decode()
    assert "Đã tiếp nhận" in html and "Nội dung bí mật" not in html


def test_status_with_code_and_phone_shows_content_and_answer(client, ward):
    report = ReportFactory(unit=ward, answer="Công an phường đã xử lý.", status=ReportStatus.ANSWERED)
    response = client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912345678"})
    html = response.content.decode()
    assert "Đã trả lời" in html and report.description in html and "Công an phường đã xử lý." in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1


def test_status_refuses_a_wrong_phone_or_code_without_revealing_anything(client, ward):
    report = ReportFactory(unit=ward)
    for data in ({"code": report.code, "phone": "0987654321"}, {"code": report.code}):
        response = client.post("/phan-anh/tra-cuu/", data)
        html = response.content.decode()
        assert response.status_code == 400 and report.description not in html
        assert "Không tìm thấy phản ánh" in html
    typo = report.code[:-1] + ("A" if report.code[-1] != "A" else "B")
    response = client.post("/phan-anh/tra-cuu/", {"code": typo})
    assert "code" in response.context["form"].errors


def test_a_non_image_is_refused_with_a_clear_message_next_to_the_field(client, ward):
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = _post(client, _data(ward, photos=[fake]))
    assert response.status_code == 400
    message = str(_errors(response)["photos"])
    assert "anh.jpg" in message and "không phải là ảnh" in message
    assert "chọn lại" in response.content.decode()
    assert not Report.objects.exists()


def test_an_oversized_photo_is_refused(client, ward, settings):
    settings.REPORTS_PHOTO_MAX_BYTES = 2000
    response = _post(client, _data(ward, photos=[image_upload(size=(600, 600))]))
    assert "quá lớn" in str(_errors(response)["photos"])


def test_too_many_photos_are_refused(client, ward, settings):
    settings.REPORTS_PHOTO_MAX_COUNT = 2
    response = _post(client, _data(ward, photos=[image_upload(name=f"{i}.jpg") for i in range(3)]))
    assert "tối đa 2 ảnh" in str(_errors(response)["photos"])


def test_a_too_large_request_is_refused_before_reading_the_photos(client, ward, settings):
    settings.REPORTS_MAX_REQUEST_BYTES = 500
    response = _post(client, _data(ward, photos=[image_upload(size=(300, 300))]))
    assert response.status_code == 400 and "photos" in _errors(response)
    assert not Report.objects.exists()


def test_photos_are_resized_and_kept(client, ward, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photos = [image_upload(size=(3200, 1600)), image_upload(fmt="PNG", name="b.png")]
    _post(client, _data(ward, is_anonymous="on", photos=photos))
    photos = Report.objects.get().photos.order_by("width")
    assert [(p.width, p.height) for p in photos] == [(64, 48), (1600, 800)]


def test_rate_limit_per_client(client, ward, settings):
    settings.REPORTS_RATE_LIMIT = (2, 3600)
    anonymous = _data(ward, is_anonymous="on")
    assert _post(client, anonymous).status_code == 302
    assert _post(client, anonymous).status_code == 302
    response = _post(client, anonymous)
    assert response.status_code == 429 and "113" in response.content.decode()
    assert Report.objects.count() == 2
    # Another client is not affected.
    assert client.post("/phan-anh/", anonymous, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_bots_filling_the_hidden_field_are_refused(client, ward):
    assert _post(client, _data(ward, website="http://spam.example")).status_code == 400
    assert not Report.objects.exists()


def test_a_time_in_the_future_is_refused(client, ward):
    assert "occurred_at" in _errors(_post(client, _data(ward, occurred_at="2099-01-01T10:00")))


@pytest.mark.parametrize("path", ["/phan-anh/", "/phan-anh/tra-cuu/", "/en/phan-anh/", "/en/phan-anh/tra-cuu/"])
def test_pages_render_with_one_h1(client, path, ward):
    html = client.get(path).content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1


def test_done_page_without_a_report_goes_back_to_the_form(client):
    assert client.get("/phan-anh/da-gui/")["Location"] == "/phan-anh/"


def test_a_report_with_contact_details_needs_the_notice_accepted_and_records_its_version(client, ward):
    response = _post(client, _data(ward, accept_notice=""))
    assert response.status_code == 400  # the form again, with the message next to the box
    assert "Đánh dấu vào ô để chấp nhận thông báo" in response.content.decode()
    assert "Tôi xin cam đoan" in response.content.decode()  # the notice in force is shown on the form
    assert not Report.objects.exists()
    _post(client, _data(ward))
    assert Report.objects.get().notice_version == 1


def test_an_anonymous_report_needs_no_notice_and_records_none(client, ward):
    _post(client, _data(ward, accept_notice="", is_anonymous="on", contact_phone="", contact_name=""))
    assert Report.objects.get().notice_version is None
