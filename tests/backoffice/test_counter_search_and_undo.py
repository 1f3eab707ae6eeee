"""The counter finds a citizen by name or phone when there is no QR, warns about another day, and undoes an
arrival recorded by mistake."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.models import Arrival, AuditLogEntry
from apps.backoffice.selectors import counter_search
from apps.backoffice.services import appointment_check_in, appointment_check_in_undo
from apps.filings.models import Filing

from .factories import OfficerFactory, appointment_create, browser_sign_in, declaration_create

pytestmark = pytest.mark.django_db


def _at(days, hour, minute=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def people(ward_a, ward_b):
    return {
        "nhung": appointment_create(
            unit=ward_a, starts_at=_at(0, 9), name="NGUYỄN THỊ HỒNG NHUNG", phone="+84912345678"
        ),
        "nhung_later": appointment_create(
            unit=ward_a, starts_at=_at(3, 9), name="PHAN HỒNG NHUNG", phone="+84987000111"
        ),
        "nhung_b": appointment_create(unit=ward_b, starts_at=_at(0, 9), name="LÊ HỒNG NHUNG", phone="+84912345678"),
        "gone": appointment_create(unit=ward_a, starts_at=_at(0, 10), name="TRẦN HỒNG NHUNG", status="cancelled"),
        "old": appointment_create(unit=ward_a, starts_at=_at(-30, 9), name="VÕ HỒNG NHUNG"),
    }  # fmt: skip


def test_counter_search_lists_this_counters_bookings_nearest_first(people, ward_a):
    found = counter_search(unit=ward_a, term="hong nhung")
    assert [a.holder_name for a in found] == ["NGUYỄN THỊ HỒNG NHUNG", "PHAN HỒNG NHUNG"]
    assert [a.holder_name for a in counter_search(unit=ward_a, term="0912 345 678")] == ["NGUYỄN THỊ HỒNG NHUNG"]
    assert counter_search(unit=ward_a, term="tran van") == []


def test_check_in_page_searches_by_name_then_checks_in(client, counter_a, people, ward_a):
    client.force_login(counter_a)
    url = reverse("backoffice:check-in")
    response = client.post(url, {"unit": ward_a.pk, "scan": "hong nhung"})
    page = response.content.decode()
    assert [r["appointment"].holder_name for r in response.context["search_rows"]] == [
        "NGUYỄN THỊ HỒNG NHUNG",
        "PHAN HỒNG NHUNG",
    ]
    assert [r["other_day"] for r in response.context["search_rows"]] == [False, True]
    assert "ngày khác" in page
    assert "LÊ HỒNG NHUNG" not in page  # another ward's citizen
    # Its button posts the code: checked in.
    client.post(url, {"unit": ward_a.pk, "scan": people["nhung"].reference})
    people["nhung"].refresh_from_db()
    assert people["nhung"].status == "checked_in"


def test_search_that_finds_nothing_says_so_in_vietnamese(client, counter_a, people, ward_a):
    client.force_login(counter_a)
    response = client.post(reverse("backoffice:check-in"), {"unit": ward_a.pk, "scan": "tran van tam"})
    assert "Không phải mã hồ sơ của cổng này" in " ".join(response.context["form"].errors["scan"])


def test_undo_check_in(counter_a, ward_a):
    declaration = declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(0, 0, 5)))
    appointment = declaration.appointment
    appointment_check_in(appointment=appointment, user=counter_a, unit=ward_a)
    assert Filing.objects.get(pk=declaration.pk).state == "received"
    appointment_check_in_undo(appointment=appointment, user=counter_a)
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert not Arrival.objects.filter(appointment=appointment).exists()
    assert Filing.objects.get(pk=declaration.pk).state == "submitted"
    assert AuditLogEntry.objects.filter(object_id=str(appointment.pk), detail="Đã đến → Đã đặt").exists()
    # Nothing to undo twice.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        appointment_check_in_undo(appointment=appointment, user=counter_a)


def test_undo_from_the_roster(client, counter_a, ward_a):
    appointment = appointment_create(unit=ward_a, starts_at=_at(0, 0, 5))
    appointment_check_in(appointment=appointment, user=counter_a, unit=ward_a)
    client.force_login(counter_a)
    roster = client.get(reverse("backoffice:roster"), {"unit": ward_a.pk}).content.decode()
    undo_url = reverse("backoffice:check-in-undo", args=[appointment.pk])
    assert undo_url in roster
    client.post(undo_url)
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_camera_less_check_in_by_name_in_the_browser(live_server, page, ward_a):
    from apps.backoffice import roles
    from apps.backoffice.services import roles_setup

    roles_setup()
    officer = OfficerFactory(username="quay.phuong1", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    starts = min(
        timezone.localtime() + timedelta(hours=1),
        datetime.combine(timezone.localdate(), time(23, 45), tzinfo=timezone.get_current_timezone()),
    ).replace(second=0, microsecond=0)
    booking = appointment_create(unit=ward_a, starts_at=starts, name="NGUYỄN THỊ HỒNG NHUNG")
    browser_sign_in(page, live_server.url + "/admin/quay/diem-danh/", officer)
    page.wait_for_url("**/admin/quay/diem-danh/")
    scan = page.locator("input[name=scan]").first
    scan.fill("hong nhung")
    scan.press("Enter")
    row = page.locator(f"#found-{booking.pk}")
    row.wait_for()
    assert "NGUYỄN THỊ HỒNG NHUNG" in row.inner_text()
    row.locator("input[type=submit]").click()
    page.wait_for_selector(".counter-outcome")
    assert "Đã ghi nhận công dân đến" in page.inner_text(".counter-outcome")
    booking.refresh_from_db()
    assert booking.status == "checked_in"
