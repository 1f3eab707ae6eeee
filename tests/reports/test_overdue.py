"""Issue 14.9: the overdue view lists reports past their answer time, most urgent priority first, per unit,
only of the officer's units, at a query cost that does not grow with the reports."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.backoffice.roles import DISTRICT_ADMINISTRATOR, REPORT_HANDLER
from apps.reports.models import ReportStatus
from apps.reports.selectors import report_list_overdue, report_priority_levels

from .factories import OfficerFactory, ReportFactory, WardUnitFactory

pytestmark = pytest.mark.django_db
URL = "/admin/reports/report/qua-han/"


@pytest.fixture
def wards():
    first = WardUnitFactory(name="Công an Phường 1")
    second = WardUnitFactory(name="Công an Phường 8", parent=first.parent)
    return first, second


def _late(unit, hours: float, category: str, **kwargs):
    return ReportFactory(unit=unit, category=category, due_at=timezone.now() - timedelta(hours=hours), **kwargs)


def test_priority_levels_follow_the_answer_targets(settings):
    settings.REPORTS_TARGET_HOURS = {"crime": 24, "security": 48, "feedback": 120, "other": 48}
    assert report_priority_levels() == {"crime": 1, "security": 2, "feedback": 3, "other": 2}


def test_most_urgent_first_then_longest_overdue_only_own_unit(wards):
    ward, other_ward = wards
    handler = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    feedback = _late(ward, 10, "feedback")
    crime = _late(ward, 1, "crime")
    security = _late(ward, 5, "security")
    other = _late(ward, 3, "other")
    _late(ward, 2, "crime", status=ReportStatus.CLOSED)  # closed: not overdue any more
    _late(ward, 2, "crime", status=ReportStatus.ANSWERED)  # answered in time or late: not waiting
    ReportFactory(unit=ward, due_at=timezone.now() + timedelta(hours=1))  # not yet due
    _late(other_ward, 8, "crime")  # another unit's
    found = report_list_overdue(user=handler)
    assert [r.pk for r in found.reports] == [crime.pk, security.pk, other.pk, feedback.pk]
    assert [r.priority for r in found.reports] == [1, 2, 2, 3]
    assert [(u.unit_name, u.count) for u in found.per_unit] == [("Công an Phường 1", 4)]
    assert found.total == 4


def test_the_district_sees_every_unit_and_narrows_to_one(client, wards, django_assert_max_num_queries):
    ward, other_ward = wards
    chief = OfficerFactory(groups=[DISTRICT_ADMINISTRATOR])
    _late(ward, 1, "crime")
    _late(ward, 2, "feedback")
    late_elsewhere = _late(other_ward, 30, "security")
    found = report_list_overdue(user=chief)
    assert [(u.unit_name, u.count) for u in found.per_unit] == [("Công an Phường 1", 2), ("Công an Phường 8", 1)]
    narrowed = report_list_overdue(user=chief, unit_id=other_ward.pk)
    assert [r.pk for r in narrowed.reports] == [late_elsewhere.pk] and narrowed.total == 1
    client.force_login(chief)
    client.get(URL)
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    for hours in range(2, 22):
        _late(other_ward, hours, "other", handler=chief)
    with django_assert_max_num_queries(len(few)):
        page = client.get(URL).content.decode()
    assert len(re.findall(r"<tr>\s*<td>Mức \d</td>", page)) == 23


def test_the_page_in_vietnamese_and_linked_from_the_list(client, wards):
    ward, other_ward = wards
    handler = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = _late(ward, 26, "crime")
    _late(other_ward, 26, "crime", description="Của phường khác")
    client.force_login(handler)
    assert 'href="/admin/reports/report/qua-han/"' in client.get("/admin/reports/report/").content.decode()
    page = client.get(URL).content.decode()
    assert "Phản ánh quá hạn" in page and "Số phản ánh đã quá hạn trả lời: 1." in page
    row = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    assert "Mức 1" in row and report.code in row and "Chưa giao" in row
    assert "1 ngày 2 giờ" in row
    assert "Của phường khác" not in page


def test_officers_without_reports_cannot_open_it(client, wards):
    from apps.backoffice.roles import COUNTER_OFFICER

    counter = OfficerFactory(units=[wards[0]], groups=[COUNTER_OFFICER])
    client.force_login(counter)
    assert client.get(URL).status_code == 403
