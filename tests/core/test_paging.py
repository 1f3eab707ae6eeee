"""Admin lists of big tables: an unfiltered list takes the table's row estimate instead of counting every row, a
filtered one is counted exactly up to a bound; local-day ranges for indexed date filters."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.appointments.models import Appointment
from apps.core import paging
from apps.core.paging import EstimatedCountPaginator, local_day_range


def test_a_local_day_is_a_half_open_range_in_vietnam_time():
    start, end = local_day_range(date(2027, 1, 4))
    assert start == timezone.make_aware(datetime(2027, 1, 4, 0, 0))
    assert end == timezone.make_aware(datetime(2027, 1, 5, 0, 0))
    assert start.utcoffset().total_seconds() == 7 * 3600


@pytest.mark.django_db
def test_small_tables_are_counted_exactly_everywhere():
    from tests.backoffice.factories import appointment_create
    from tests.units.factories import WardUnitFactory

    unit = WardUnitFactory()
    for hour in (8, 9, 10):
        appointment_create(unit=unit, starts_at=timezone.make_aware(datetime(2027, 1, 4, hour)))
    assert EstimatedCountPaginator(Appointment.objects.all(), 100).count == 3
    assert EstimatedCountPaginator(Appointment.objects.filter(slot__starts_at__hour__gte=9), 100).count == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_a_big_list_is_estimated_not_counted(monkeypatch, admin_client):
    from tests.backoffice.factories import appointment_create
    from tests.units.factories import WardUnitFactory

    unit = WardUnitFactory()
    for hour in range(7, 13):
        appointment_create(unit=unit, starts_at=timezone.make_aware(datetime(2027, 1, 4, hour)))
    monkeypatch.setattr(paging, "COUNT_EXACT_UP_TO", 4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appointments_appointment")
    # Unfiltered: the table's estimate after ANALYZE (6 rows), no COUNT over the table.
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:appointments_appointment_changelist"))
    assert response.context["cl"].result_count == 6
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts == []
    # Filtered beyond the exact range: counted up to the bound (a LIMITed subquery), then the planner's estimate.
    paginator = EstimatedCountPaginator(Appointment.objects.filter(status="booked"), 100)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count >= 5
    assert "LIMIT 5" in queries.captured_queries[0]["sql"] and "EXPLAIN" in queries.captured_queries[1]["sql"]
    # Filtered within the exact range: exact.
    assert EstimatedCountPaginator(Appointment.objects.filter(slot__starts_at__hour=7), 100).count == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_an_empty_queryset_counts_zero_next_to_the_others():
    """`.none()` (the dashboard of an officer with no unit) compiles to no SQL: counted 0, the others still counted
    in the same query (it raised EmptyResultSet and the admin index answered 500)."""
    from tests.backoffice.factories import appointment_create
    from tests.units.factories import WardUnitFactory

    appointment_create(unit=WardUnitFactory(), starts_at=timezone.make_aware(datetime(2027, 1, 4, 8)))
    counts = paging.counts_capped([Appointment.objects.none(), Appointment.objects.all(), Appointment.objects.none()])
    assert counts == [(0, True), (1, True), (0, True)]
