"""Issue 14.11: statistics for a period per unit, scoped by role: filings by state and procedure, bookings,
utilisation, no-shows, overdue reports; shown and exported (CSV with BOM, XLSX), at a query cost that does not
grow with the rows. Every expected number below is counted by hand from the records the test creates."""

import codecs
import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from apps.backoffice import roles
from apps.backoffice.statistics import statistics_for_period
from apps.filings.models import Filing
from apps.reports.models import Report, ReportEvent, ReportStatus
from tests.appointments.factories import BookingScheduleFactory, ClosureFactory, ProcedureFactory
from tests.reports.factories import ReportFactory
from tests.units.factories import WardUnitFactory

from .factories import OfficerFactory, appointment_create

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 2 to Sunday 8 March 2026: no public holiday, no official day.
START, END = date(2026, 3, 2), date(2026, 3, 8)
URL = "/admin/quay/thong-ke/"
QUERY = "?start=2026-03-02&end=2026-03-08&unit="


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


@pytest.fixture
def data(role_groups, district):
    ward_a = WardUnitFactory(name="Công an Phường 1", parent=district)
    ward_b = WardUnitFactory(name="Công an Phường 8", parent=district)
    ward_c = WardUnitFactory(name="Công an Phường 9")  # another district's: never counted for our officer
    # Ward 1 takes appointments Monday–Friday 07:30–11:30 and 13:30–17:00 in 15-minute slots, 2 places each:
    # 16 + 14 = 30 slots a day, 150 in the week; a closure on Wednesday 07:30–09:30 takes 8 slots: 142 slots,
    # 284 places. Ward 8 has no schedule: no place offered.
    BookingScheduleFactory(unit=ward_a, capacity=2)
    ClosureFactory(unit=ward_a, starts_at=at(4, 7, 30), ends_at=at(4, 9, 30))
    identity = ProcedureFactory()
    passport = ProcedureFactory(slug="ho-chieu", name="Cấp hộ chiếu", name_en="Passport")

    def booking(unit, status, day=3, hour=8, procedure=identity, minute=0):
        return appointment_create(unit=unit, starts_at=at(day, hour, minute), status=status, procedure=procedure)

    # Ward 1 in the week: 3 booked, 4 checked in, 2 did not come, 1 cancelled, 1 hold (takes no place here).
    a = [booking(ward_a, "booked", minute=15 * i) for i in range(3)]
    a += [booking(ward_a, "checked_in", day=5, minute=15 * i) for i in range(4)]
    a += [booking(ward_a, "no_show", day=6, hour=9, minute=15 * i) for i in range(2)]
    a += [booking(ward_a, "cancelled", day=6, hour=10)]
    booking(ward_a, "held", day=6, hour=10, minute=30)
    outside = booking(ward_a, "booked", day=9)  # the next Monday
    booking(ward_b, "checked_in", day=2, hour=14)
    elsewhere = booking(ward_c, "booked")

    # Filings submitted in the week at Ward 1: identity card 2 submitted + 1 received, passport 1 cancelled.
    def filing(appointment, state, submitted, procedure=None):
        return Filing.objects.create(
            code=appointment.reference,
            procedure=procedure or appointment.procedure,
            holder_name="NGUYỄN VĂN A",
            phone="+84901234567",
            appointment=appointment,
            state=state,
            submitted_at=submitted,
        )

    filing(a[0], "submitted", at(2, 10))
    filing(a[1], "submitted", at(8, 23, 59))
    filing(a[3], "received", at(3, 9))
    filing(a[9], "cancelled", at(4, 9), procedure=passport)
    filing(outside, "submitted", at(9, 0, 1))  # after the period
    filing(elsewhere, "submitted", at(3, 9))  # another district's unit

    # Reports received in the week at Ward 1: one still open past its answer time, one answered in time, one
    # closed after its answer time; plus one of the week before and one of Ward 9 (neither counted).
    def report(unit, created, due, status, done=None):
        r = ReportFactory(unit=unit, created_at=created, confirmed_at=created, due_at=due, status=status)
        if done is not None:
            ReportEvent.objects.create(report=r, from_status="in_progress", to_status=status, created_at=done)
        return r

    report(ward_a, at(2, 9), at(3, 9), ReportStatus.IN_PROGRESS)
    report(ward_a, at(3, 9), at(4, 9), ReportStatus.ANSWERED, done=at(3, 15))
    report(ward_a, at(4, 9), at(5, 9), ReportStatus.CLOSED, done=at(6, 9))
    report(ward_a, at(1, 9), at(2, 9), ReportStatus.RECEIVED)
    report(ward_c, at(3, 9), at(4, 9), ReportStatus.RECEIVED)
    chief = OfficerFactory(username="thongke.q", units=[ward_a, ward_b], roles=[roles.UNIT_ADMINISTRATOR])
    return {"a": ward_a, "b": ward_b, "c": ward_c, "chief": chief}


def _by_unit(stats):
    return {
        f.unit_name: (f.booked, f.checked_in, f.no_show, f.cancelled, f.places, f.reports, f.reports_overdue)
        for f in [*stats.units, stats.totals]
    }


@pytest.mark.django_db
def test_the_figures_of_a_week(data):
    units = [data["a"], data["b"]]
    stats = statistics_for_period(
        user=data["chief"], start=START, end=END, units=units, now=datetime(2026, 3, 20, tzinfo=UTC)
    )
    assert _by_unit(stats) == {
        "Công an Phường 1": (9, 4, 2, 1, 284, 3, 2),
        "Công an Phường 8": (1, 1, 0, 0, 0, 0, 0),
        "": (10, 5, 2, 1, 284, 3, 2),
    }
    ward_a, ward_b = stats.units
    assert ward_a.utilisation == 9 / 284 and ward_b.utilisation is None
    assert ward_a.no_show_rate == 2 / 6 and ward_b.no_show_rate == 0
    rows = {p.name: p.counts for p in stats.procedures}
    assert rows == {
        "Cấp, cấp đổi, cấp lại thẻ căn cước": {"submitted": 2, "received": 1},
        "Cấp hộ chiếu": {"cancelled": 1},
    }
    assert stats.filings_total == 4
    assert stats.state_totals["submitted"] == 2 and stats.state_totals["ready"] == 0


@pytest.mark.django_db
def test_an_open_report_not_yet_due_is_not_overdue(data):
    stats = statistics_for_period(
        user=data["chief"], start=START, end=END, units=[data["a"]], now=datetime(2026, 3, 3, 1, tzinfo=UTC)
    )
    # At 08:00 on 3 March (Vietnam) the open report is not yet due; the closed one was closed late.
    assert (stats.units[0].reports, stats.units[0].reports_overdue) == (3, 1)


@pytest.mark.django_db
def test_an_officer_sees_only_their_units_and_the_sections_of_their_role(client, data):
    handler = OfficerFactory(username="phananh.p1", units=[data["a"]], roles=[roles.REPORT_HANDLER])
    client.force_login(handler)
    page = client.get(URL + QUERY).content.decode()
    assert 'value="' + str(data["b"].pk) + '"' not in page  # only their unit in the choice
    assert '<th scope="col">Phản ánh đã nhận</th>' in page
    assert '<th scope="col">Chỗ đã đặt</th>' not in page and "Hồ sơ theo thủ tục" not in page
    # A unit outside their scope is refused as a choice, not shown.
    response = client.get(f"{URL}?start=2026-03-02&end=2026-03-08&unit={data['c'].pk}")
    assert response.status_code == 200 and "statistics-units" not in response.content.decode()
    assert "unit" in response.context["form"].errors
    news = OfficerFactory(username="tintuc.p1", units=[data["a"]], roles=[roles.NEWS_EDITOR])
    client.force_login(news)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_the_page_in_vietnamese(client, data):
    client.force_login(data["chief"])
    page = client.get(URL + QUERY).content.decode()
    assert "Từ 02/03/2026 đến 08/03/2026, tính cả hai ngày." in page
    ward_a_row = page.split('<th scope="row">Công an Phường 1</th>')[1].split("</tr>")[0]
    cells = [c.strip() for c in ward_a_row.split("<td>")[1:]]
    assert [c.split("</td>")[0] for c in cells] == ["9", "4", "2 (33%)", "1", "284", "3%", "3", "2"]
    response = client.get(f"{URL}?start=2026-03-08&end=2026-03-02&unit=")
    assert response.context["form"].errors["end"] == ["Ngày kết thúc trước ngày bắt đầu."]


@pytest.mark.django_db
def test_csv_and_xlsx_exports(client, data):
    client.force_login(data["chief"])
    response = client.get(URL + QUERY + "&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke-20260302-20260308.csv"'
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Thống kê", "Tất cả đơn vị của tôi", "02/03/2026", "08/03/2026"]
    assert rows[1] == [
        "Đơn vị", "Chỗ đã đặt", "Đã đến", "Vắng mặt", "Tỷ lệ vắng mặt (%)", "Đã hủy", "Chỗ đã mở",
        "Tỷ lệ lấp đầy (%)", "Phản ánh đã nhận", "Phản ánh quá hạn",
    ]  # fmt: skip
    assert rows[2] == ["Công an Phường 1", "9", "4", "2", "33,3", "1", "284", "3,2", "3", "2"]
    assert rows[3] == ["Công an Phường 8", "1", "1", "0", "0,0", "0", "0", "", "0", "0"]
    assert rows[4] == ["Tổng", "10", "5", "2", "28,6", "1", "284", "3,5", "3", "2"]
    procedures = {r[0]: r for r in rows[7:]}
    assert procedures["Cấp hộ chiếu"][-1] == "1" and procedures["Tổng"][-1] == "4"

    response = client.get(URL + QUERY + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Thống kê", "Tất cả đơn vị của tôi"]
    assert values[0][2] == datetime(2026, 3, 2)  # a real date cell
    assert values[2][:8] == ["Công an Phường 1", 9, 4, 2, 33.3, 1, 284, 3.2]  # numbers as numbers
    from apps.backoffice.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(user=data["chief"], action="export").count() == 2


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_rows(client, data, django_assert_num_queries):
    client.force_login(data["chief"])
    client.get(URL + QUERY)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(URL + QUERY)
    for i in range(12):
        appointment = appointment_create(unit=data["b"], starts_at=at(5, 14) + timedelta(minutes=15 * i))
        Filing.objects.create(
            code=appointment.reference, procedure=appointment.procedure, holder_name="LÊ VĂN B",
            phone="+84901234567", appointment=appointment, submitted_at=at(5, 15),
        )  # fmt: skip
        ReportFactory(unit=data["b"], created_at=at(5, 9), due_at=at(6, 9))
    assert Report.objects.count() == 17
    with django_assert_num_queries(len(first)):
        page = client.get(URL + QUERY).content.decode()
    assert "Công an Phường 8" in page


@pytest.mark.django_db
def test_the_selector_costs_a_pinned_number_of_queries(data, django_assert_num_queries):
    """Permissions and units of the officer (4: their permissions, their groups' permissions, their units, the
    district units above them), bookings (1), schedules (1), every unit's calendar (3: opening hours, official days,
    closures), filings (1), reports (1): 11, for two units as for twenty, for ten rows as for a thousand."""
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(pk=data["chief"].pk)  # a fresh user: nothing cached on it
    with django_assert_num_queries(11):
        statistics_for_period(user=officer, start=START, end=END, units=[data["a"], data["b"]])
    more_units = [WardUnitFactory(parent=data["a"].parent) for _ in range(3)]
    for unit in more_units:
        BookingScheduleFactory(unit=unit)
        appointment_create(unit=unit, starts_at=at(3, 9), status="checked_in")
        ReportFactory(unit=unit, created_at=at(3, 9), due_at=at(4, 9))
    data["chief"].units.add(*more_units)
    for i in range(8):
        appointment_create(unit=data["a"], starts_at=at(2, 13, 30) + timedelta(minutes=15 * i))
    officer = get_user_model().objects.get(pk=data["chief"].pk)
    with django_assert_num_queries(11):
        stats = statistics_for_period(user=officer, start=START, end=END, units=[data["a"], data["b"], *more_units])
    assert [f.booked for f in stats.units] == [17, 1, 1, 1, 1]
    assert [f.places for f in stats.units] == [284, 0, 300, 300, 300]
