"""Booking schedules for the District 4 units that receive identity-card applications.

Opening hours come from the units' demo data (Monday to Friday 07:30–11:30 and 13:30–17:00, Saturday morning at
the district headquarters and wards 1, 8 and 13). The district headquarters has more reception desks and one
passport desk; ward stations have two desks. Public holidays need no rows: they come from the `holidays`
library. One ward has a training closure next week so the week view and the picker show one. Idempotent.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit, UnitKind

from .models import BookingSchedule, Closure, ProcedureCapacity

DISTRICT_SCHEDULE = {"slot_minutes": 15, "capacity": 4, "lead_time_hours": 2, "horizon_days": 30}
WARD_SCHEDULE = {"slot_minutes": 15, "capacity": 2, "lead_time_hours": 2, "horizon_days": 30}
TRAINING_UNIT = "cong-an-phuong-3-quan-4"
TRAINING_REASON = "Cán bộ tập huấn nghiệp vụ cấp căn cước"
TRAINING_REASON_EN = "Staff training on identity-card issuance"


@transaction.atomic
def load(*, stdout) -> None:
    units = PoliceUnit.objects.filter(receives_id_applications=True, is_active=True)
    for unit in units:
        defaults = DISTRICT_SCHEDULE if unit.kind == UnitKind.DISTRICT else WARD_SCHEDULE
        schedule, _ = BookingSchedule.objects.get_or_create(unit=unit, defaults=defaults)
        if unit.kind == UnitKind.DISTRICT:
            passport = Procedure.objects.filter(slug="ho-chieu").first()
            if passport is not None:
                ProcedureCapacity.objects.get_or_create(schedule=schedule, procedure=passport, defaults={"capacity": 1})
    training_unit = PoliceUnit.objects.filter(slug=TRAINING_UNIT).first()
    if training_unit is not None and not Closure.objects.filter(unit=training_unit, reason=TRAINING_REASON).exists():
        today = timezone.localdate()
        friday = today + timedelta(days=(4 - today.weekday()) % 7 + 7)
        tz = timezone.get_default_timezone()
        Closure.objects.create(
            unit=training_unit,
            starts_at=timezone.make_aware(datetime.combine(friday, time(13, 0)), tz),
            ends_at=timezone.make_aware(datetime.combine(friday, time(17, 30)), tz),
            reason=TRAINING_REASON,
            reason_en=TRAINING_REASON_EN,
        )
    stdout.write(f"Booking schedules: {BookingSchedule.objects.count()}")
