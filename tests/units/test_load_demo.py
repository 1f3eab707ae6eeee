from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command

from apps.units.models import OpeningHours, PoliceUnit, UnitKind, UnitPhone


def _snapshot() -> str:
    return serializers.serialize(
        "json",
        [*PoliceUnit.objects.order_by("pk"), *UnitPhone.objects.order_by("pk"), *OpeningHours.objects.order_by("pk")],
    )


@pytest.mark.django_db
def test_load_demo_creates_the_district_4_scenario():
    call_command("load_demo", stdout=StringIO())
    assert PoliceUnit.objects.count() == 17
    assert PoliceUnit.objects.filter(kind=UnitKind.CITY).count() == 1
    district = PoliceUnit.objects.get(kind=UnitKind.DISTRICT)
    assert district.name == "Công an Quận 4"
    assert district.children.filter(kind=UnitKind.WARD).count() == 15
    assert PoliceUnit.objects.filter(receives_id_applications=True).count() >= 2
    # Monday to Friday, morning and afternoon; some units also on Saturday morning.
    assert district.opening_hours.filter(weekday__lt=5).count() == 10
    assert PoliceUnit.objects.filter(opening_hours__weekday=5).exists()


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    before = _snapshot()
    users_before = list(get_user_model().objects.values_list("username", "password").order_by("username"))
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == before
    assert list(get_user_model().objects.values_list("username", "password").order_by("username")) == users_before


@pytest.mark.django_db
def test_demo_accounts_are_printed_with_debug_on(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "canbo.phuong1" in out.getvalue()
    officer = get_user_model().objects.get(username="canbo.phuong1")
    assert officer.is_staff and not officer.is_superuser
    assert list(officer.units.values_list("slug", flat=True)) == ["cong-an-phuong-1-quan-4"]


@pytest.mark.django_db
def test_demo_accounts_are_refused_with_debug_off(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "NOT created" in out.getvalue()
    assert not get_user_model().objects.exists()
    assert PoliceUnit.objects.count() == 17
