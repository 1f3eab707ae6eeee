"""`manage.py import_units FILE`: police units, their phones, opening hours and booking schedules from YAML or CSV,
so another police unit can adopt the portal without editing code. Idempotent: units are matched by slug and
updated; phones and hours given for a unit replace its old ones.

YAML (a list under ``units:``)::

    units:
      - slug: cong-an-tinh-x
        kind: city                     # city (city/province police), district or ward
        name: Công an tỉnh X
        name_en: X Province Police
        address: 1 Đường A, Phường B
        address_en: 1 A Street, B Ward   # optional: shown on /en/ pages
        parent: ""                     # slug of the parent unit (listed earlier or already in the database)
        receives_id_applications: true
        phones: [{label: Trực ban, label_en: Duty desk, number: "0271 3800 113", hotline: true}]
        hours: "mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30"
        schedule: {slot_minutes: 15, capacity: 2, lead_time_hours: 2, horizon_days: 30}

CSV: one unit per row with the same column names; ``phones`` as ``label=number; …`` (the first is the hotline),
``hours`` as above, and ``slot_minutes``, ``capacity``, ``lead_time_hours``, ``horizon_days`` as columns.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import OpeningHours, PoliceUnit, UnitPhone

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
UNIT_FIELDS = (
    *("kind", "name", "name_en", "address", "address_en"),
    *("ward_code", "area_served", "area_served_en", "email", "map_url", "order"),
)
SCHEDULE_FIELDS = ("slot_minutes", "capacity", "lead_time_hours", "horizon_days")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def units_read(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        data = yaml.safe_load(text) or {}
        units = data.get("units") if isinstance(data, dict) else data
        if not isinstance(units, list):
            raise ValidationError("The YAML file needs a list of units under 'units:'.")
        return units
    if path.suffix.lower() == ".csv":
        rows = []
        for row in csv.DictReader(io.StringIO(text)):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            row["phones"] = [
                {"label": label.strip(), "number": number.strip(), "hotline": i == 0}
                for i, (label, _, number) in enumerate(p.partition("=") for p in row.get("phones", "").split(";"))
                if number.strip()
            ]
            schedule = {k: row.pop(k) for k in SCHEDULE_FIELDS if row.get(k)}
            if schedule:
                row["schedule"] = schedule
            rows.append(row)
        return rows
    raise ValidationError("Give a .yaml, .yml or .csv file.")


def hours_parse(text: str) -> list[tuple[int, time, time]]:
    """ "mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30" -> [(weekday, opens, closes), …]."""
    found = []
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        days, *ranges = part.split()
        first, _, last = days.lower().partition("-")
        if first not in DAYS or (last and last not in DAYS) or not ranges:
            raise ValidationError(f"Opening hours not understood: {part!r} (e.g. 'mon-fri 07:30-11:30').")
        weekdays = range(DAYS[first], DAYS[last or first] + 1)
        for spec in ranges:
            match = _RANGE.match(spec)
            if not match:
                raise ValidationError(f"Opening hours not understood: {spec!r} (e.g. 07:30-11:30).")
            h1, m1, h2, m2 = map(int, match.groups())
            found += [(day, time(h1, m1), time(h2, m2)) for day in weekdays]
    return found


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "x", "có"}


@transaction.atomic
def units_import(*, rows: list[dict]) -> ImportResult:
    """Create or update every unit of `rows` (all or nothing: a bad row leaves the database unchanged)."""
    result = ImportResult()
    for number, row in enumerate(rows, start=1):
        slug = str(row.get("slug") or "").strip()
        if not slug:
            raise ValidationError(f"Unit {number}: 'slug' is required.")
        unit = PoliceUnit.objects.filter(slug=slug).first()
        is_new = unit is None
        unit = unit or PoliceUnit(slug=slug)
        for name in UNIT_FIELDS:
            if row.get(name) not in (None, ""):
                setattr(unit, name, row[name])
        for name in ("receives_id_applications", "is_active"):
            if row.get(name) not in (None, ""):
                setattr(unit, name, _bool(row[name]))
        parent = str(row.get("parent") or "").strip()
        unit.parent = PoliceUnit.objects.filter(slug=parent).first() if parent else None
        if parent and unit.parent is None:
            raise ValidationError(f"Unit {slug}: parent {parent!r} not found (list parents first).")
        try:
            unit.full_clean()
        except ValidationError as exc:
            raise ValidationError(f"Unit {slug}: {'; '.join(exc.messages)}") from exc
        unit.save()
        if "phones" in row:
            unit.phones.all().delete()
            for order, phone in enumerate(row["phones"] or []):
                item = UnitPhone(
                    unit=unit,
                    label=phone.get("label", ""),
                    label_en=phone.get("label_en", ""),
                    number=str(phone["number"]),
                    is_hotline=_bool(phone.get("hotline", False)),
                    order=order,
                )
                item.full_clean()
                item.save()
        if row.get("hours"):
            unit.opening_hours.all().delete()
            for day, opens, closes in hours_parse(row["hours"]):  # saved one by one: signals refresh the caches
                hours = OpeningHours(unit=unit, weekday=day, opens=opens, closes=closes)
                hours.full_clean()
                hours.save()
        if row.get("schedule"):
            _schedule_set(unit=unit, values=row["schedule"])
        (result.created if is_new else result.updated).append(slug)
    return result


def _schedule_set(*, unit: PoliceUnit, values: dict) -> None:
    from apps.appointments.models import BookingSchedule  # the appointments app builds on units, not the reverse

    schedule = BookingSchedule.objects.filter(unit=unit).first() or BookingSchedule(unit=unit)
    for name in SCHEDULE_FIELDS:
        if values.get(name) not in (None, ""):
            setattr(schedule, name, int(values[name]))
    schedule.full_clean()
    schedule.save()
