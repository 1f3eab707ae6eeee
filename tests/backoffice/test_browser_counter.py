"""A counter officer signs in, opens today's roster, checks a citizen in by scanning the code of their QR (a USB
scanner types it into the focused field and presses Enter), and sees the status change."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.backoffice import roles

from .factories import PASSWORD, OfficerFactory, appointment_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _qr_content(code: str) -> str:
    """What the citizen's QR code carries: the declarations app's signed token when it is installed."""
    from django.apps import apps

    if apps.is_installed("apps.declarations"):
        from apps.filings.tokens import qr_token

        return qr_token(code)
    return code


def test_counter_officer_checks_a_citizen_in_from_the_roster(live_server, page, ward_a):
    from apps.backoffice.services import roles_setup

    roles_setup()
    officer = OfficerFactory(username="quay.phuong1", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    # Later today, so the booking is "expected" whatever time the test runs.
    starts = min(
        timezone.localtime() + timedelta(hours=1),
        datetime.combine(timezone.localdate(), time(23, 45), tzinfo=timezone.get_current_timezone()),
    ).replace(second=0, microsecond=0)
    booking = appointment_create(unit=ward_a, starts_at=starts, name="NGUYỄN VĂN A")

    page.goto(live_server.url + "/admin/quay/")
    # Not signed in: the admin's sign-in page, then back to the roster.
    page.fill("#id_username", "quay.phuong1")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", f"{totp(device.bin_key):06d}")  # the counter role sees personal data
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/quay/")
    assert page.locator("h1").count() == 1
    row = page.locator(f"#appointment-{booking.pk}")
    assert "NGUYỄN VĂN A" in row.inner_text()
    assert "Đã đặt" in row.inner_text()

    scan = page.locator("input[name=scan]").first
    scan.fill(_qr_content(booking.reference))
    scan.press("Enter")
    page.wait_for_selector(".counter-outcome")
    assert "Đã ghi nhận công dân đến" in page.inner_text(".counter-outcome")
    assert "Đã đến" in page.inner_text("#appointment-status")
    # The scan field is ready for the next citizen.
    assert page.evaluate("document.activeElement.name") == "scan"

    page.click("text=Quay lại danh sách hẹn")
    assert "Đã đến" in page.locator(f"#appointment-{booking.pk}").inner_text()
    booking.refresh_from_db()
    assert booking.status == "checked_in"
