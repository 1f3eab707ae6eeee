"""Issue 12.12: a cancelled booking can be booked again (same card, same procedure), and its QR, slip and calendar
file are no longer offered (both journeys)."""

import re

import pytest

from apps.appointments.models import AppointmentStatus
from apps.filings.services import filing_cancel
from apps.filings.tokens import receipt_token

from .factories import booked_declaration, free_slot

pytestmark = pytest.mark.django_db


def test_identity_card_cancelled_then_booked_again(client, demo_data):
    first = booked_declaration()
    filing_cancel(filing=first, reason="changed my mind")
    base = f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(first.code)}/"
    html = client.get(base).content.decode()
    assert "qr.png" not in html and "phieu.png" not in html and ".ics" not in html
    for suffix in ("qr.png", "phieu.png", "lich-hen.ics", "phieu/"):
        assert client.get(base + suffix).status_code == 404, suffix
    again = booked_declaration(slot=free_slot(skip=1))  # same card number, same procedure
    assert again.appointment.status == AppointmentStatus.BOOKED
    assert again.id_number == first.id_number
    assert "qr.png" in client.get(f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(again.code)}/").content.decode()


def test_other_procedure_cancelled_then_booked_again(client, demo_data, django_capture_on_commit_callbacks, settings):
    from tests.procedures.journey import book

    settings.NOTIFICATIONS_OTP_RESEND_SECONDS = 0  # the second booking's code follows the first within a minute

    done = book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    base = done.request["PATH_INFO"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + "huy/").status_code == 302
    html = client.get(base).content.decode()
    assert not re.search(r'src="[^"]*qr\.png"', html) and "phieu.png" not in html
    for suffix in ("qr.png", "phieu.png", "lich-hen.ics"):
        assert client.get(base + suffix).status_code == 404, suffix
    again = book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    assert again.status_code == 200 and "qr.png" in again.content.decode()


def test_identity_card_cancelled_then_booked_again_through_the_journey(
    client, demo_data, django_capture_on_commit_callbacks, settings
):
    """The whole journey twice with the same card: the first filing cancelled, the second goes through."""
    from django.test import Client

    from apps.filings.models import Filing

    from .test_journey import hold, walk
    from .test_submit import CONFIRM, send_code

    settings.NOTIFICATIONS_OTP_RESEND_SECONDS = 0
    for browser, slot in ((client, free_slot()), (Client(), free_slot(skip=1))):
        walk(browser)
        hold(browser, slot)
        code = send_code(browser, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            done = browser.post(CONFIRM, {"action": "verify", "code": code})
        assert done.status_code == 302 and "/hoan-tat/" in done["Location"]
        if browser is client:
            first = Filing.objects.get()
            filing_cancel(filing=first, reason="changed my mind")
            assert client.get(done["Location"] + "qr.png").status_code == 404
    second = Filing.objects.exclude(pk=first.pk).get()
    assert second.id_number == first.id_number and second.appointment.status == AppointmentStatus.BOOKED
    first.refresh_from_db()
    assert first.state == "cancelled" and first.appointment.status == AppointmentStatus.CANCELLED
