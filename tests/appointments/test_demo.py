from datetime import timedelta

import pytest

from apps.appointments.models import BookingSchedule, Closure, ProcedureCapacity
from apps.appointments.selectors import slot_list_available
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit, UnitKind

pytestmark = pytest.mark.django_db


def test_demo_schedules_for_units_receiving_id_applications(demo_data):
    receiving = PoliceUnit.objects.filter(receives_id_applications=True)
    assert BookingSchedule.objects.count() == receiving.count() > 1
    district = BookingSchedule.objects.get(unit__kind=UnitKind.DISTRICT)
    assert district.capacity > BookingSchedule.objects.filter(unit__kind=UnitKind.WARD).first().capacity
    assert ProcedureCapacity.objects.filter(schedule=district, procedure__slug="ho-chieu").exists()
    assert Closure.objects.count() == 1


def test_demo_district_offers_times_for_the_identity_card(demo_data):
    from django.utils import timezone

    district = PoliceUnit.objects.get(kind=UnitKind.DISTRICT)
    card = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    today = timezone.localdate()
    days = slot_list_available(unit=district, procedure=card, start=today, end=today + timedelta(days=14))
    assert any(d.is_open for d in days)


def test_demo_load_twice_changes_nothing(demo_data):
    from io import StringIO

    from django.core.management import call_command

    before = (BookingSchedule.objects.count(), Closure.objects.count(), ProcedureCapacity.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (BookingSchedule.objects.count(), Closure.objects.count(), ProcedureCapacity.objects.count()) == before
