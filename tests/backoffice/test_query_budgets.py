"""List pages cost the same number of queries with 3 rows as with 60: no query per row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.backoffice.models import AuditAction, AuditLogEntry
from apps.units.models import PoliceUnit
from tests.units.factories import WardUnitFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types, the session) so both counts compare alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _transitions(units, n):
    from .factories import filing_event_create

    for unit in units:
        filing_event_create(unit=unit, n=n // len(units) or 1)


def _audit(units, user, n):
    ct = ContentType.objects.get_for_model(PoliceUnit)
    AuditLogEntry.objects.bulk_create(
        AuditLogEntry(
            user=user,
            username=user.username,
            action=AuditAction.VIEW,
            content_type=ct,
            object_id=str(i),
            object_repr=f"#{i}",
            unit=units[i % len(units)],
        )
        for i in range(n)
    )


BUDGET = 14


def test_audit_log_list(client, district_admin, ward_a, ward_b):
    client.force_login(district_admin)
    url = reverse("admin:backoffice_auditlogentry_changelist")
    _audit([ward_a, ward_b], district_admin, 3)
    few = _queries(client, url)
    _audit([ward_a, ward_b], district_admin, 60)
    assert _queries(client, url) == few <= BUDGET


@pytest.mark.parametrize("officer", ["counter_a", "district_admin"])
def test_state_change_list(client, request, ward_a, ward_b, officer):
    client.force_login(request.getfixturevalue(officer))
    url = reverse("admin:filings_filingevent_changelist")
    _transitions([ward_a, ward_b], 3)
    few = _queries(client, url)
    _transitions([ward_a, ward_b], 60)
    assert _queries(client, url) == few <= BUDGET


def test_unit_list(client, district_admin, district):
    client.force_login(district_admin)
    url = reverse("admin:units_policeunit_changelist")
    WardUnitFactory.create_batch(2, parent=district)
    few = _queries(client, url)
    WardUnitFactory.create_batch(40, parent=district)
    assert _queries(client, url) == few <= BUDGET
