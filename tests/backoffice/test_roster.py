from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.models import AuditLogEntry

from .factories import appointment_create

pytestmark = pytest.mark.django_db


def _at(hour, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def day_of_bookings(ward_a, ward_b):
    from tests.appointments.factories import ProcedureFactory

    passport = ProcedureFactory(slug="cap-ho-chieu", name="Cấp hộ chiếu phổ thông")
    return {
        "first": appointment_create(unit=ward_a, starts_at=_at(7, 30), name="LÊ VĂN SỚM"),
        "passport": appointment_create(unit=ward_a, starts_at=_at(9), name="PHẠM THỊ HỘ CHIẾU", procedure=passport),
        "cancelled": appointment_create(unit=ward_a, starts_at=_at(10), name="HỦY LỊCH", status="cancelled"),
        "held": appointment_create(unit=ward_a, starts_at=_at(10), name="CHỈ GIỮ CHỖ", status="held"),
        "tomorrow": appointment_create(unit=ward_a, starts_at=_at(8, days=1), name="NGÀY MAI"),
        "other_unit": appointment_create(unit=ward_b, starts_at=_at(8), name="PHƯỜNG KHÁC"),
    }


def test_roster_lists_the_days_bookings_of_any_procedure_in_order(client, counter_a, ward_a, day_of_bookings):
    client.force_login(counter_a)
    response = client.get(reverse("backoffice:roster"))
    assert response.status_code == 200
    names = [row["appointment"].holder_name for row in response.context["rows"]]
    assert names == ["LÊ VĂN SỚM", "PHẠM THỊ HỘ CHIẾU", "HỦY LỊCH"]
    page = response.content.decode()
    assert "Cấp hộ chiếu phổ thông" in page
    assert "PHƯỜNG KHÁC" not in page
    assert "090****567" in page


def test_roster_of_another_day(client, counter_a, day_of_bookings):
    client.force_login(counter_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(reverse("backoffice:roster"), {"day": tomorrow})
    assert [r["appointment"].holder_name for r in response.context["rows"]] == ["NGÀY MAI"]


def test_roster_of_another_unit_is_not_reachable_by_url(client, counter_a, ward_a, ward_b, day_of_bookings):
    client.force_login(counter_a)
    response = client.get(reverse("backoffice:roster"), {"unit": ward_b.pk})
    assert response.context["unit"] == ward_a
    assert "PHƯỜNG KHÁC" not in response.content.decode()
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("backoffice:roster"), {"unit": ward_b.pk, "format": fmt})
        assert "PHƯỜNG KHÁC".encode() not in response.content


def test_district_administrator_picks_any_unit(client, district_admin, ward_b, day_of_bookings):
    client.force_login(district_admin)
    response = client.get(reverse("backoffice:roster"), {"unit": ward_b.pk})
    assert [r["appointment"].holder_name for r in response.context["rows"]] == ["PHƯỜNG KHÁC"]


def test_roster_csv_export_is_audited(client, counter_a, ward_a, day_of_bookings):
    client.force_login(counter_a)
    response = client.get(reverse("backoffice:roster"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].split(";")[:3] == ["Giờ", "Mã hồ sơ", "Họ tên"]
    assert "LÊ VĂN SỚM" in lines[1]
    assert len(lines) == 4
    entry = AuditLogEntry.objects.get(action="export")
    assert (entry.user, entry.unit) == (counter_a, ward_a)


def test_roster_xlsx_export(client, counter_a, day_of_bookings):
    from openpyxl import load_workbook

    client.force_login(counter_a)
    response = client.get(reverse("backoffice:roster"), {"format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][2] == "LÊ VĂN SỚM"
    assert values[3][3] == "Cấp hộ chiếu phổ thông"
    assert AuditLogEntry.objects.filter(action="export").count() == 1


def test_printable_roster(client, counter_a, day_of_bookings):
    client.force_login(counter_a)
    response = client.get(reverse("backoffice:roster"), {"print": "1"})
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert "LÊ VĂN SỚM" in page
    assert 'id="header"' not in page


def test_roster_needs_a_unit_and_the_permission(client, role_groups, ward_a):
    from apps.backoffice import roles

    from .factories import OfficerFactory

    client.force_login(OfficerFactory(roles=[roles.COUNTER_OFFICER]))  # no unit
    assert client.get(reverse("backoffice:roster")).status_code == 403
    client.force_login(OfficerFactory(units=[ward_a], roles=[roles.NEWS_EDITOR]))
    assert client.get(reverse("backoffice:roster")).status_code == 403
    client.logout()
    assert client.get(reverse("backoffice:roster")).status_code == 302  # to the sign-in page


def test_roster_query_budget(client, counter_a, ward_a):
    client.force_login(counter_a)
    url = reverse("backoffice:roster")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for minute in range(0, 45, 15):
        appointment_create(unit=ward_a, starts_at=_at(7, minute))
    few = count()
    for hour in range(8, 17):
        for minute in range(0, 60, 15):
            appointment_create(unit=ward_a, starts_at=_at(hour, minute))
    assert count() == few <= 12


def test_roster_shows_the_kind_of_identity_card_request(client, counter_a, ward_a):
    from .factories import declaration_create

    booking = appointment_create(unit=ward_a, starts_at=_at(11), name="CÓ TỜ KHAI")
    declaration_create(appointment=booking)
    client.force_login(counter_a)
    row = client.get(reverse("backoffice:roster")).context["rows"][0]
    assert row["request"] == f"{booking.procedure.name} · Cấp thẻ lần đầu"


def test_roster_pages_open_at_the_next_people_and_print_and_files_have_the_whole_day(
    client, counter_a, ward_a, monkeypatch
):
    """18 bookings (3 every 15 minutes from 07:30) in pages of 5: at 08:20 the page shown is the one with the 08:15
    bookings (rows 6-10); the printable page and the files keep all 18. (Pages hold 50 bookings; 5 here keeps the
    test's table small.)"""
    from zoneinfo import ZoneInfo

    import time_machine

    from apps.backoffice import selectors
    from tests.appointments.factories import ProcedureFactory

    assert selectors.ROSTER_PAGE_SIZE == 50
    monkeypatch.setattr(selectors, "ROSTER_PAGE_SIZE", 5)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    day = date(2026, 12, 2)
    procedure = ProcedureFactory()
    with time_machine.travel(datetime(2026, 12, 2, 8, 20, tzinfo=tz), tick=False):
        for k in range(6):
            starts_at = datetime.combine(day, time(7, 30), tzinfo=tz) + timedelta(minutes=15 * k)
            for n in range(3):
                appointment_create(unit=ward_a, starts_at=starts_at, name=f"CÔNG DÂN {k:02d}-{n}", procedure=procedure)
        client.force_login(counter_a)
        url = reverse("backoffice:roster")

        response = client.get(url)
        assert response.context["part"].number == 2
        names = [r["appointment"].holder_name for r in response.context["rows"]]
        assert names == ["CÔNG DÂN 01-2", "CÔNG DÂN 02-0", "CÔNG DÂN 02-1", "CÔNG DÂN 02-2", "CÔNG DÂN 03-0"]
        assert response.context["counts"]["booked"] == 18
        page = response.content.decode()
        assert 'aria-current="page">2 (07:45–08:15)' in page
        assert "page=4" in page and "CÔNG DÂN 00-0" not in page

        last = client.get(url, {"page": "4"}).context["rows"]
        assert [r["appointment"].holder_name for r in last] == ["CÔNG DÂN 05-0", "CÔNG DÂN 05-1", "CÔNG DÂN 05-2"]
        assert client.get(url, {"page": "99"}).context["part"].number == 4
        assert client.get(url, {"page": "x"}).context["part"].number == 2

        printed = client.get(url, {"print": "1"})
        assert len(printed.context["rows"]) == 18
        lines = client.get(url, {"format": "csv"}).content.decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 19

        # Another day opens at its first page.
        tomorrow = client.get(url, {"day": "2026-12-03"})
        assert tomorrow.context["part"] is None and tomorrow.context["rows"] == []
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=tz), tick=False):
        assert client.get(url, {"day": "2026-12-02"}).context["part"].number == 1
