"""An officer handles a report from its one page in two clicks, and the reporter reads each change in Vietnamese
(issue 14.9)."""

import pytest

from apps.backoffice import roles
from apps.reports.models import Report, ReportStatus
from tests.backoffice.factories import OfficerFactory, browser_sign_in

from .factories import ReportFactory, WardUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_and_start_then_answer_and_close_and_the_reporter_sees_it(live_server, page):
    from apps.backoffice.services import roles_setup

    roles_setup()
    ward = WardUnitFactory()
    officer = OfficerFactory(username="phananh.p1", units=[ward], roles=[roles.REPORT_HANDLER])
    report = ReportFactory(unit=ward, description="Xe máy đậu chắn lối đi trong hẻm.")
    url = f"{live_server.url}/admin/reports/report/{report.pk}/change/"
    browser_sign_in(page, url, officer)
    page.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")

    page.get_by_role("button", name="Nhận và bắt đầu xử lý").click()
    page.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")  # the same page, the next steps
    assert page.locator(".messagelist").inner_text().strip().endswith("“Đang xử lý”.")
    page.get_by_label("Nội dung trả lời người phản ánh").fill("Công an phường đã nhắc nhở chủ xe.")
    page.get_by_role("button", name="Gửi trả lời và đóng").click()
    page.wait_for_url(f"**/admin/reports/report/{report.pk}/change/")
    assert page.get_by_text("Không còn việc gì: phản ánh đã đóng.").is_visible()
    report = Report.objects.get(pk=report.pk)
    assert (report.status, report.answer) == (ReportStatus.CLOSED, "Công an phường đã nhắc nhở chủ xe.")

    page.goto(live_server.url + "/phan-anh/tra-cuu/")
    page.get_by_label("Mã tra cứu").fill(report.code)
    page.get_by_label("Số điện thoại đã khai").fill("0912345678")
    page.get_by_role("button", name="Xem tình trạng").click()
    assert page.locator("#report-status").inner_text() == "Đã đóng"
    history = [t.split(": ", 1)[1] for t in page.locator("#report-history li").all_inner_texts()]
    assert history == ["Đã giao cán bộ xử lý", "Đang xử lý", "Đã trả lời", "Đã đóng"]
    assert "Công an phường đã nhắc nhở chủ xe." in page.content()
