from datetime import time

import factory

from apps.units.models import OpeningHours, PoliceUnit, UnitKind, UnitPhone


class PoliceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceUnit

    kind = UnitKind.DISTRICT
    name = factory.Sequence(lambda n: f"Công an Quận {n}")
    name_en = factory.Sequence(lambda n: f"District {n} Police")
    slug = factory.Sequence(lambda n: f"unit-{n}")
    address = factory.Sequence(lambda n: f"{n} Đoàn Như Hài, Thành phố Hồ Chí Minh")
    receives_id_applications = True


class WardUnitFactory(PoliceUnitFactory):
    kind = UnitKind.WARD
    parent = factory.SubFactory(PoliceUnitFactory)
    name = factory.Sequence(lambda n: f"Công an Phường {n}")


class UnitPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitPhone

    unit = factory.SubFactory(PoliceUnitFactory)
    label = "Trực ban"
    number = factory.Sequence(lambda n: f"028 3940 {n:04d}")
    is_hotline = True


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    unit = factory.SubFactory(PoliceUnitFactory)
    weekday = 0
    opens = time(7, 30)
    closes = time(11, 30)
