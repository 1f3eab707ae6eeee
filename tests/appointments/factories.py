from datetime import time

import factory

from apps.appointments.models import BookingSchedule, Closure, OfficialDay, ProcedureCapacity
from apps.procedures.models import Procedure
from apps.units.models import OpeningHours
from tests.units.factories import PoliceUnitFactory

MORNING = (time(7, 30), time(11, 30))
AFTERNOON = (time(13, 30), time(17, 0))


def add_office_hours(unit, *, saturday_morning: bool = False) -> None:
    """Monday–Friday 07:30–11:30 and 13:30–17:00 (and Saturday morning), as Vietnamese offices open."""
    rows = [(day, *session) for day in range(5) for session in (MORNING, AFTERNOON)]
    if saturday_morning:
        rows.append((5, *MORNING))
    OpeningHours.objects.bulk_create(OpeningHours(unit=unit, weekday=d, opens=o, closes=c) for d, o, c in rows)


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("slug",)

    slug = Procedure.IDENTITY_CARD
    name = "Cấp, cấp đổi, cấp lại thẻ căn cước"
    name_en = "Identity card"


class BookingScheduleFactory(factory.django.DjangoModelFactory):
    """A unit with office hours taking appointments: 15-minute slots, 2 places, 2 hours' lead time, 30 days."""

    class Meta:
        model = BookingSchedule
        skip_postgeneration_save = True

    unit = factory.SubFactory(PoliceUnitFactory)
    slot_minutes = 15
    capacity = 2
    lead_time_hours = 2
    horizon_days = 30

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if create and extracted is not False:
            add_office_hours(self.unit, saturday_morning=bool(kwargs.get("saturday")))


class ProcedureCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureCapacity

    schedule = factory.SubFactory(BookingScheduleFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    capacity = 1


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    unit = factory.SubFactory(PoliceUnitFactory)
    reason = "Tập huấn nghiệp vụ"
    reason_en = "Staff training"


class OfficialDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficialDay

    name = "Nghỉ bù"
    name_en = "Bridge day off"
