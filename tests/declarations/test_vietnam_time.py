"""Issue 12.8: one booking at 07:30 in Vietnam reads 07:30 everywhere: page, slip image, .ics, messages (stored in
UTC, that is 00:30, which the slip image used to show)."""

from datetime import UTC

import pytest
import time_machine
from django.utils import timezone

from apps.declarations import views
from apps.filings.tokens import receipt_token
from apps.notifications.models import Notification

from .factories import booked_declaration, free_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking_at_0730(demo_data):
    # Tuesday 1 December 2026, 18:00 in Vietnam: the first free time is Wednesday 07:30.
    with time_machine.travel("2026-12-01 18:00 +07:00", tick=False):
        slot = free_slot()
        assert timezone.localtime(slot.starts_at).strftime("%d/%m %H:%M") == "02/12 07:30"
        assert slot.starts_at.astimezone(UTC).strftime("%H:%M") == "00:30"
        yield booked_declaration(slot=slot)


def test_every_output_shows_vietnam_time(client, booking_at_0730, monkeypatch):
    declaration = booking_at_0730
    token = receipt_token(declaration.code)
    base = f"/thu-tuc/cap-cccd/hoan-tat/{token}/"
    done = client.get(base).content.decode()
    assert "07:30" in done and "00:30" not in done
    slip = client.get(base + "phieu/").content.decode()
    assert "07:30" in slip and "00:30" not in slip
    drawn = {}

    def capture(**kwargs):
        drawn.update(kwargs)
        return b"png"

    monkeypatch.setattr(views.outputs, "slip_png", capture)
    assert client.get(base + "phieu.png").status_code == 200
    text = " ".join(value for _label, value in drawn["lines"])
    assert "07:30" in text and "00:30" not in text
    ics = client.get(base + "lich-hen.ics").content.decode()
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261202T073000" in ics
    message = Notification.objects.get(kind="filing_confirmed")
    assert message.context["time"] == "07:30" and message.context["date"] == "02/12/2026"
