"""The appointments app's admin under the back office's rules: per-unit rows and objects (district
administrators see all), audited openings, masked phones, exports, and a flat query count."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.models import AuditLogEntry

from .factories import appointment_create

pytestmark = pytest.mark.django_db


def _at(hour, minute=0):
    return datetime.combine(
        timezone.localdate() + timedelta(days=1), time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def pair(ward_a, ward_b):
    return appointment_create(unit=ward_a, starts_at=_at(8)), appointment_create(
        unit=ward_b, starts_at=_at(8), name="BÊN KIA"
    )


def test_list_detail_and_move_are_per_unit(client, counter_a, pair):
    own, other = pair
    client.force_login(counter_a)
    response = client.get(reverse("admin:appointments_appointment_changelist"))
    assert list(response.context["cl"].result_list) == [own]
    assert "090****567" in response.content.decode()
    assert "+84901234567" not in response.content.decode()
    assert client.get(reverse("admin:appointments_appointment_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:appointments_appointment_change", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:appointments_appointment_move", args=[other.pk])).status_code == 404
    assert AuditLogEntry.objects.filter(action="view", object_id=str(own.pk)).count() == 1


def test_export_and_cancel_ignore_other_units(client, counter_a, pair, django_capture_on_commit_callbacks):
    from tests.exports.helpers import export_through_admin

    own, other = pair
    client.force_login(counter_a)
    url = reverse("admin:appointments_appointment_changelist")
    _job, content = export_through_admin(
        client,
        django_capture_on_commit_callbacks,
        url,
        {"action": "export_csv", "_selected_action": [own.pk, other.pk]},
    )
    text = content.decode("utf-8-sig")
    assert own.reference in text and other.reference not in text
    client.post(url, {"action": "cancel_selected", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.status == "booked"


def test_district_administrator_sees_all(client, district_admin, pair):
    client.force_login(district_admin)
    response = client.get(reverse("admin:appointments_appointment_changelist"))
    assert set(response.context["cl"].result_list) == set(pair)


def test_list_query_budget(client, district_admin, ward_a):
    client.force_login(district_admin)
    url = reverse("admin:appointments_appointment_changelist")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    appointment_create(unit=ward_a, starts_at=_at(7, 30))
    few = count()
    for i in range(40):
        appointment_create(unit=ward_a, starts_at=_at(8 + i // 4, (i % 4) * 15))
    assert count() == few <= 16


def test_a_count_above_the_exact_range_is_marked_as_an_estimate_and_a_search_counts_fewer(
    client, district_admin, ward_a, monkeypatch
):
    """PostgreSQL: above COUNT_EXACT_UP_TO rows (a search: SEARCH_COUNT_EXACT_UP_TO matches) the list's count is
    the planner's estimate and the pagination and search box say "about"; below, the count is exact. SQLite counts
    every list exactly."""
    from apps.core import paging

    monkeypatch.setattr(paging, "COUNT_EXACT_UP_TO", 3)
    monkeypatch.setattr(paging, "SEARCH_COUNT_EXACT_UP_TO", 1)
    for minute in (0, 15, 30, 45):
        appointment_create(unit=ward_a, starts_at=_at(9, minute), name="TRẦN THỊ BÌNH")
    appointment_create(unit=ward_a, starts_at=_at(10), name="LÊ VĂN SỚM", status="cancelled")
    client.force_login(district_admin)
    url = reverse("admin:appointments_appointment_changelist")
    postgres = connection.vendor == "postgresql"

    booked = client.get(url, {"status__exact": "booked"})
    assert booked.context["cl"].paginator.count_is_estimate is postgres
    assert ("khoảng" in booked.content.decode()) is postgres
    assert "số ước tính của cơ sở dữ liệu" in booked.content.decode() if postgres else True

    cancelled = client.get(url, {"status__exact": "cancelled"})
    assert cancelled.context["cl"].result_count == 1
    assert cancelled.context["cl"].paginator.count_is_estimate is False
    assert "khoảng" not in cancelled.content.decode()

    # 4 namesakes: over the search's exact range of 1 on PostgreSQL, not over the lists' range of 3.
    found = client.get(url, {"q": "tran thi binh"})
    assert found.context["cl"].paginator.count_is_estimate is postgres
    assert [a.holder_name for a in found.context["cl"].result_list] == ["TRẦN THỊ BÌNH"] * 4
    if not postgres:
        assert found.context["cl"].result_count == 4
        assert "4 kết quả" in found.content.decode()
