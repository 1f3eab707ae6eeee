"""Issue 14.9: the reporter follows each status change in Vietnamese at /phan-anh/tra-cuu/ ("Đã đóng", never the
slot picker's "Nghỉ"), and wrong phone numbers lock a code's lookup whatever the address they come from."""

import re

import pytest

from apps.backoffice.roles import REPORT_HANDLER
from apps.reports.services import report_advance, report_assign

from .factories import OfficerFactory, ReportFactory, WardUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return WardUnitFactory()


def _history(html: str) -> list[str]:
    block = re.search(r'<ol class="small mb-2" id="report-history">(.*?)</ol>', html, re.S).group(1)
    return [re.sub(r"^.*</time>:\s*", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_reporter_reads_every_status_change_in_vietnamese(client, ward):
    handler = OfficerFactory(units=[ward], groups=[REPORT_HANDLER], permissions=["reports.assign_report"])
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = ReportFactory(unit=ward)
    report_advance(report=report, actor=handler, step="take", note="ghi chú nội bộ")
    report_assign(report=report, handler=colleague, actor=handler)  # handed on: still "assigned", shown once
    report_advance(report=report, actor=colleague, step="answer_close", answer="Đã xử lý.")
    response = client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912 345 678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert _history(html) == ["Đã giao cán bộ xử lý", "Đang xử lý", "Đã trả lời", "Đã đóng"]
    assert 'id="report-status">Đã đóng</strong>' in html
    assert "Nghỉ" not in html and "Closed" not in html
    assert "ghi chú nội bộ" not in html and colleague.username not in html  # nothing internal


def test_an_anonymous_reporter_sees_the_changes_but_not_the_content(client, ward):
    handler = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = ReportFactory(unit=ward, is_anonymous=True, contact_phone="", description="Nội dung bí mật")
    report_advance(report=report, actor=handler, step="start")
    html = client.post("/phan-anh/tra-cuu/", {"code": report.code}).content.decode()
    assert _history(html) == ["Đã giao cán bộ xử lý", "Đang xử lý"]
    assert "Nội dung bí mật" not in html


def test_the_english_page_says_it_in_english(client, ward):
    report = ReportFactory(unit=ward, is_anonymous=True, contact_phone="")
    handler = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report_advance(report=report, actor=handler, step="take")
    report_advance(report=report, actor=handler, step="close")
    html = client.post("/en/phan-anh/tra-cuu/", {"code": report.code}).content.decode()
    assert _history(html) == ["Assigned to an officer", "Closed"]


def test_wrong_phones_lock_the_code_whatever_the_address(client, ward, settings):
    settings.LOOKUP_CODE_MAX_FAILURES = 3
    settings.LOOKUP_CODE_LOCK_MINUTES = 30
    settings.REPORTS_LOOKUP_RATE_LIMIT = (1000, 60)  # the per-address limit is not what stops this guesser
    report = ReportFactory(unit=ward)
    other = ReportFactory(unit=ward)
    for i, address in enumerate(("203.0.113.1", "203.0.113.2", "203.0.113.3")):
        response = client.post(
            "/phan-anh/tra-cuu/", {"code": report.code, "phone": f"098765432{i}"}, REMOTE_ADDR=address
        )
        assert response.status_code == 400 and "Không tìm thấy phản ánh" in response.content.decode()
    # Locked now, the right phone included, from yet another address; said in Vietnamese.
    response = client.post(
        "/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912345678"}, REMOTE_ADDR="198.51.100.7"
    )
    html = response.content.decode()
    assert response.status_code == 429 and report.description not in html
    assert "Mã này đã bị nhập sai số điện thoại quá nhiều lần" in html and "30 phút" in html
    # Another code is not locked.
    response = client.post(
        "/phan-anh/tra-cuu/", {"code": other.code, "phone": "0912345678"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 200 and other.description in response.content.decode()


def test_the_right_phone_does_not_count_and_the_lock_ends(client, ward, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl14"}}
    settings.LOOKUP_CODE_MAX_FAILURES = 2
    settings.LOOKUP_CODE_LOCK_MINUTES = 30
    report = ReportFactory(unit=ward)
    for _ in range(3):
        assert client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912345678"}).status_code == 200
    client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0987654321"})
    client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0987654322"})
    assert client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912345678"}).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.post("/phan-anh/tra-cuu/", {"code": report.code, "phone": "0912345678"}).status_code == 200
