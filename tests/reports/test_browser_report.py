"""A citizen on a cheap phone in Zalo files a report with a photo and follows it with the tracking code."""

from io import BytesIO

import pytest
from PIL import Image

from apps.reports.models import Report
from tests.browser import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), (40, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_file_a_report_with_a_photo_and_follow_it(live_server, page, demo_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.goto(live_server.url + "/phan-anh/")
    assert page.locator("h1").count() == 1
    page.get_by_label("An ninh, trật tự").check()
    page.get_by_label("Sự việc xảy ra như thế nào?").fill("Nhóm thanh niên tụ tập gây ồn ào sau 23 giờ nhiều đêm liền.")
    page.get_by_label("Phường nơi xảy ra sự việc").select_option(label="Công an Phường 9, Quận 4")
    page.get_by_label("Địa chỉ hoặc địa điểm").fill("Hẻm 52 Tôn Thất Thuyết")
    page.get_by_label("Hình ảnh (không bắt buộc)").set_input_files(
        files=[{"name": "hien-truong.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_label("Gửi ẩn danh").check()
    assert page_width(page) <= 360
    page.get_by_role("button", name="Gửi phản ánh").click()

    page.wait_for_url("**/phan-anh/da-gui/")
    code = page.locator("#tracking-code").inner_text().strip()
    report = Report.objects.get(code=code)
    assert report.is_anonymous and report.photos.count() == 1
    assert report.unit.slug == "cong-an-phuong-9-quan-4"

    page.get_by_role("link", name="Theo dõi phản ánh này").click()
    page.get_by_label("Mã tra cứu").fill(code.lower())
    page.get_by_role("button", name="Xem tình trạng").click()
    assert page.locator("#report-status").inner_text() == "Đã tiếp nhận"
    assert "Nhóm thanh niên" not in page.content()  # anonymous: the status only
    assert page_width(page) <= 360


def test_report_with_a_phone_is_confirmed_by_code_and_followed_with_code_and_phone(
    live_server, page, demo_data, settings
):
    import re

    from apps.notifications.models import OutboxMessage

    settings.ZALO_APP_SECRET = ""  # no real channel: the code goes to the outbox
    settings.ESMS_API_KEY = ""
    page.goto(live_server.url + "/phan-anh/")
    page.get_by_label("Tố giác tội phạm").check()
    page.get_by_label("Sự việc xảy ra như thế nào?").fill("Bị kẻ gian móc túi lấy ví khi đang mua hàng ở chợ.")
    page.get_by_label("Số điện thoại của bạn").fill("0912 345 678")
    page.get_by_label("Tôi đã đọc thông báo về việc xử lý dữ liệu cá nhân và đồng ý.").check()
    page.get_by_role("button", name="Gửi phản ánh").click()

    page.wait_for_url("**/phan-anh/xac-nhan/")
    assert "0912 *** 678" in page.content()
    body = OutboxMessage.objects.filter(notification__kind="otp").latest("pk").body
    page.get_by_label("Mã xác nhận").fill(re.search(r"\b(\d{6})\b", body).group(1))
    page.get_by_role("button", name="Xác nhận và gửi").click()

    page.wait_for_url("**/phan-anh/da-gui/")
    code = page.locator("#tracking-code").inner_text().strip()
    page.get_by_role("link", name="Theo dõi phản ánh này").click()
    page.get_by_label("Mã tra cứu").fill(code)
    page.get_by_label("Số điện thoại đã khai").fill("0912345678")
    page.get_by_role("button", name="Xem tình trạng").click()
    assert page.locator("#report-status").inner_text() == "Đã tiếp nhận"
    assert "móc túi" in page.content()
    assert page_width(page) <= 360
