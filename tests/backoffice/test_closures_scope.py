"""Closures and days off by who may decide them: a ward administrator closes only their own counter; the district
administrator sees and manages every ward's closures; only the district changes the district-wide days off."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.appointments.factories import ClosureFactory, OfficialDayFactory

pytestmark = pytest.mark.django_db


def _at(days, hour):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def closures(ward_a, ward_b):
    return (
        ClosureFactory(unit=ward_a, starts_at=_at(3, 7), ends_at=_at(3, 17)),
        ClosureFactory(unit=ward_b, starts_at=_at(4, 7), ends_at=_at(4, 17)),
    )


def test_ward_administrator_sees_and_closes_only_their_unit(client, unit_admin_a, closures, ward_a, ward_b):
    client.force_login(unit_admin_a)
    listed = client.get(reverse("admin:appointments_closure_changelist")).context["cl"].result_list
    assert list(listed) == [closures[0]]
    form = client.get(reverse("admin:appointments_closure_add")).context["adminform"].form
    assert list(form.fields["unit"].queryset) == [ward_a]
    assert client.get(reverse("admin:appointments_closure_change", args=[closures[1].pk])).status_code == 404


def test_district_administrator_manages_ward_closures(client, district_admin, closures, ward_a, ward_b):
    client.force_login(district_admin)
    listed = client.get(reverse("admin:appointments_closure_changelist")).context["cl"].result_list
    assert set(listed) == set(closures)
    form = client.get(reverse("admin:appointments_closure_add")).context["adminform"].form
    assert {ward_a, ward_b} <= set(form.fields["unit"].queryset)
    assert client.get(reverse("admin:appointments_closure_change", args=[closures[1].pk])).status_code == 200


def test_only_the_district_changes_official_days_off(client, unit_admin_a, district_admin):
    day = OfficialDayFactory(date=timezone.localdate() + timedelta(days=10))
    client.force_login(unit_admin_a)
    assert client.get(reverse("admin:appointments_officialday_add")).status_code == 403
    assert client.post(reverse("admin:appointments_officialday_change", args=[day.pk]), {}).status_code == 403
    client.force_login(district_admin)
    assert client.get(reverse("admin:appointments_officialday_add")).status_code == 200
