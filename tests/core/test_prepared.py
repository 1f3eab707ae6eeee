"""apps.core.prepared: a read compiled once per process returns what the ORM returns, for each call's values."""

from datetime import UTC, date, datetime, time

import pytest
from django.db.models import Count

from apps.appointments.models import Closure, OfficialDay
from apps.core.prepared import PreparedRead
from apps.units.models import OpeningHours, PoliceUnit
from tests.units.factories import PoliceUnitFactory


@pytest.mark.django_db
def test_rows_are_those_of_the_orm_for_each_calls_values(django_assert_num_queries):
    first, second = PoliceUnitFactory(name="Công an A"), PoliceUnitFactory(name="Công an B")
    OpeningHours.objects.create(unit=first, weekday=0, opens=time(7, 30), closes=time(11, 30))
    OpeningHours.objects.create(unit=first, weekday=1, opens=time(13, 30), closes=time(17))
    OpeningHours.objects.create(unit=second, weekday=2, opens=time(8), closes=time(12))
    built = []

    def build(unit, weekday):
        built.append((unit, weekday))
        return (
            OpeningHours.objects.filter(unit=unit, weekday__gte=weekday)
            .order_by("weekday")
            .values_list("weekday", "opens", "closes")
        )

    read = PreparedRead(build, unit=int, weekday=int)
    with django_assert_num_queries(1):
        assert read(unit=first.pk, weekday=0) == [(0, time(7, 30), time(11, 30)), (1, time(13, 30), time(17))]
    assert read(unit=first.pk, weekday=1) == [(1, time(13, 30), time(17))]
    assert read(unit=second.pk, weekday=0) == [(2, time(8), time(12))]
    assert read(unit=second.pk, weekday=3) == []
    assert len(built) == 1  # compiled once, with stand-in values: none of the calls' own
    assert built[0][0] not in (first.pk, second.pk)


@pytest.mark.django_db
def test_model_instances_with_annotations_dates_and_aware_datetimes():
    unit = PoliceUnitFactory(name="Công an C")
    Closure.objects.create(
        unit=unit,
        starts_at=datetime(2026, 12, 7, 1, tzinfo=UTC),
        ends_at=datetime(2026, 12, 7, 9, tzinfo=UTC),
        reason="Tập huấn",
    )
    OfficialDay.objects.create(date=date(2026, 12, 31), kind="day_off", name="Nghỉ bù")
    closures = PreparedRead(
        lambda unit, before: Closure.objects.filter(unit=unit, starts_at__lt=before).order_by("starts_at"),
        unit=int,
        before=datetime,
    )
    found = closures(unit=unit.pk, before=datetime(2026, 12, 8, tzinfo=UTC))
    assert [(c.pk, c.reason, c.starts_at) for c in found] == [
        (Closure.objects.get().pk, "Tập huấn", datetime(2026, 12, 7, 1, tzinfo=UTC))
    ]
    assert found[0].starts_at.tzinfo is not None
    assert closures(unit=unit.pk, before=datetime(2026, 12, 7, 1, tzinfo=UTC)) == []
    days = PreparedRead(lambda start, end: OfficialDay.objects.filter(date__range=(start, end)), start=date, end=date)
    assert [d.name for d in days(start=date(2026, 12, 1), end=date(2026, 12, 31))] == ["Nghỉ bù"]
    assert days(start=date(2027, 1, 1), end=date(2027, 12, 31)) == []
    counted = PreparedRead(
        lambda name: PoliceUnit.objects.filter(name=name).annotate(hours=Count("opening_hours")), name=str
    )
    [row] = counted(name="Công an C")
    assert (row.pk, row.name, row.hours) == (unit.pk, "Công an C", 0)


@pytest.mark.django_db
def test_a_value_the_sql_does_not_carry_is_refused():
    read = PreparedRead(lambda unit: PoliceUnit.objects.filter(is_active=True), unit=int)
    with pytest.raises(ValueError, match="unit"):
        read(unit=1)
    with pytest.raises(TypeError):
        PreparedRead(lambda units: PoliceUnit.objects.filter(pk__in=units), units=list)
