"""QR check-in with the device's camera: Chromium's fake camera plays a video of the citizen's QR code (made here
with the qrcode package), the vendored jsQR reads it, and the check-in page records the arrival."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.backoffice import roles
from tests.conftest import chromium_path

from .factories import OfficerFactory, appointment_create, browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _qr_video(path, text: str, width: int = 640, height: int = 480, frames: int = 10) -> None:
    """A YUV4MPEG2 (4:2:0) video of a QR code on white, which Chromium's fake camera loops."""
    import qrcode
    from PIL import Image

    code = qrcode.make(text, border=4, box_size=6).convert("RGB")
    frame = Image.new("RGB", (width, height), "white")
    side = min(height - 40, code.size[0])
    frame.paste(code.resize((side, side), Image.NEAREST), ((width - side) // 2, (height - side) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)


def test_qr_check_in_with_the_camera(live_server, browser_type, tmp_path, ward_a):
    from apps.backoffice.services import roles_setup
    from apps.filings.tokens import qr_token

    roles_setup()
    officer = OfficerFactory(username="quay.camera", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    starts = min(
        timezone.localtime() + timedelta(hours=1),
        datetime.combine(timezone.localdate(), time(23, 45), tzinfo=timezone.get_current_timezone()),
    ).replace(second=0, microsecond=0)
    booking = appointment_create(unit=ward_a, starts_at=starts, name="NGUYỄN THỊ HỒNG NHUNG")
    video = tmp_path / "qr.y4m"
    _qr_video(video, qr_token(booking.reference))

    browser = browser_type.launch(
        executable_path=chromium_path(),
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        browser_sign_in(page, live_server.url + "/admin/quay/diem-danh/", officer)
        page.wait_for_url("**/admin/quay/diem-danh/")
        page.click("#counter-camera-start")
        page.wait_for_selector(".counter-outcome", timeout=20_000)
        assert "Đã ghi nhận công dân đến" in page.inner_text(".counter-outcome")
        assert "NGUYỄN THỊ HỒNG NHUNG" in page.inner_text(".counter-outcome")
    finally:
        browser.close()
    booking.refresh_from_db()
    assert booking.status == "checked_in"
