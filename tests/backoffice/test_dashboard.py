import pytest
from django.urls import reverse

from apps.backoffice.selectors import Bar, Chart, dashboard_charts

from .factories import filing_event_create

pytestmark = pytest.mark.django_db


def test_chart_rows_scale_to_the_largest_bar_or_to_their_total():
    chart = Chart(title="t", bars=[Bar("a", 5), Bar("b", 10)])
    assert [r["percent"] for r in chart.rows] == [50, 100]
    chart = Chart(title="t", bars=[Bar("a", 3, total=12), Bar("b", 0, total=0)])
    assert [r["percent"] for r in chart.rows] == [25, 0]


def test_dashboard_on_the_admin_index_counts_only_own_units(client, counter_a, ward_a, ward_b):
    filing_event_create(unit=ward_a, state="returned")
    filing_event_create(unit=ward_b, state="posted")
    client.force_login(counter_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    assert "Thay đổi trạng thái hôm nay" in page
    charts = {str(c.title): c for c in dashboard_charts(user=counter_a)}
    # The filings' moves of the officer's unit only, by the states' names.
    assert [(b.label, b.value) for b in charts["Thay đổi trạng thái hôm nay"].bars] == [
        ("Trả lại để bổ sung, sửa đổi", 1)
    ]


def test_booking_charts_per_unit_and_utilisation(ward_a, ward_b, counter_a, district_admin):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from apps.backoffice.selectors import dashboard_charts
    from tests.appointments.factories import BookingScheduleFactory

    from .factories import appointment_create

    BookingScheduleFactory(unit=ward_a, capacity=2)
    BookingScheduleFactory(unit=ward_b, capacity=2)
    # A Wednesday, so the week has five working days whatever today is.
    wednesday = timezone.localdate() - timedelta(days=timezone.localdate().weekday()) + timedelta(days=2)
    tz = timezone.get_current_timezone()
    for minute in (0, 15, 30):
        appointment_create(unit=ward_a, starts_at=datetime.combine(wednesday, time(8, minute), tzinfo=tz))
    appointment_create(unit=ward_a, starts_at=datetime.combine(wednesday, time(9), tzinfo=tz), status="cancelled")
    appointment_create(unit=ward_b, starts_at=datetime.combine(wednesday, time(8), tzinfo=tz))

    charts = {str(c.title): c for c in dashboard_charts(user=counter_a, today=wednesday)}
    today = charts["Lịch hẹn hôm nay"]
    assert [(b.label, b.value) for b in today.bars] == [(str(ward_a), 3)]
    places = charts["Số chỗ đã đặt trong tuần"].bars[0]
    assert places.value == 3
    # 07:30-11:30 and 13:30-17:00 in 15-minute slots = 30 slots a day, 2 places each, 5 days (no holiday that week
    # is assumed away: the total is what the unit's calendar offers).
    assert places.total > 0 and places.total % 2 == 0

    charts = {str(c.title): c for c in dashboard_charts(user=district_admin, today=wednesday)}
    assert {(b.label, b.value) for b in charts["Lịch hẹn hôm nay"].bars} == {(str(ward_a), 3), (str(ward_b), 1)}


def test_dashboard_query_count_does_not_grow_with_bookings(client, district_admin, ward_a):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests.appointments.factories import BookingScheduleFactory

    from .factories import appointment_create

    BookingScheduleFactory(unit=ward_a)
    client.force_login(district_admin)

    def count():
        client.get(reverse("admin:index"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("admin:index"))
        return len(ctx.captured_queries)

    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    appointment_create(unit=ward_a, starts_at=start)
    few = count()
    for i in range(1, 40):
        appointment_create(unit=ward_a, starts_at=start + timedelta(minutes=15 * i))
    assert count() == few


def test_filings_and_reports_charts(ward_a, ward_b, counter_a, role_groups):
    from apps.backoffice import roles
    from apps.backoffice.selectors import dashboard_charts
    from tests.reports.factories import ReportFactory

    from .factories import OfficerFactory, declaration_create

    unit_admin = OfficerFactory(units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR])
    from datetime import timedelta

    from django.utils import timezone

    from .factories import appointment_create

    start = timezone.now() + timedelta(days=1)
    declaration_create(appointment=appointment_create(unit=ward_a, starts_at=start))
    declaration_create(appointment=appointment_create(unit=ward_b, starts_at=start))
    ReportFactory(unit=ward_a)
    ReportFactory(unit=ward_a, due_at=timezone.now() - timedelta(hours=1))
    ReportFactory(unit=ward_b)
    charts = {str(c.title): c for c in dashboard_charts(user=unit_admin)}
    filings = {b.label: b.value for b in charts["Hồ sơ theo trạng thái"].bars}
    assert filings["Đã nộp"] == 1
    reports = charts["Phản ánh đang chờ trả lời"].bars
    assert [(b.label, b.value) for b in reports] == [(ward_a.name, 2)]
    assert reports[0].note == "1 quá hạn"
    # A counter officer has neither section.
    titles = {str(c.title) for c in dashboard_charts(user=counter_a)}
    assert "Phản ánh đang chờ trả lời" not in titles


def test_filings_by_state_above_the_exact_range_are_marked_as_estimates(monkeypatch, ward_a, district_admin):
    """Above COUNT_EXACT_UP_TO filings a state's figure is PostgreSQL's estimate, marked "about" with a note under
    the chart; below it the count is exact (SQLite counts every state exactly)."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from apps.core import paging

    from .factories import appointment_create, declaration_create

    monkeypatch.setattr(paging, "COUNT_EXACT_UP_TO", 2)
    start = timezone.now() + timedelta(days=1)
    for minute in (0, 15, 30, 45):
        declaration_create(appointment=appointment_create(unit=ward_a, starts_at=start + timedelta(minutes=minute)))
    chart = {str(c.title): c for c in dashboard_charts(user=district_admin)}["Hồ sơ theo trạng thái"]
    submitted = next(b for b in chart.bars if b.label == "Đã nộp")
    received = next(b for b in chart.bars if b.label == "Đã tiếp nhận tại quầy")
    assert (received.value, received.approximate) == (0, False)
    if connection.vendor == "postgresql":
        assert submitted.approximate and submitted.value >= 3
        assert chart.note.startswith("“Khoảng”: trên 2 hồ sơ")
    else:
        assert (submitted.value, submitted.approximate, chart.note) == (4, False, "")
