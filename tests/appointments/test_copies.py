"""The appointment's copies that the officers' list orders and searches by (docs/scale.md, "A name search for every
unit"): `slot_starts_at` (the slot's start) is kept by every write that sets the slot, and filled for existing
rows by migration 0006 in batches; `name_key` (the name as the search compares it) is computed by the database on
every write, whatever writes it."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.db import connection

from apps.appointments.models import Appointment, Slot
from apps.appointments.services import appointment_book, appointment_hold, appointment_reschedule
from apps.filings.models import Filing

from .conftest import at

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)
WED_10 = at(2026, 12, 2, 10, 0)
THU_8 = at(2026, 12, 3, 8, 0)


def _stored(appointment) -> Appointment:
    return Appointment.objects.get(pk=appointment.pk)  # what the database holds, not the instance


def test_a_hold_and_its_booking_carry_the_slot_start(unit, procedure, frozen_now):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    assert _stored(hold).slot_starts_at == WED_9
    booked = appointment_book(appointment=hold, reference="R-a", holder_name="Nguyễn Văn An")
    assert _stored(booked).slot_starts_at == WED_9


def test_a_move_carries_the_new_start(unit, procedure, other_schedule, frozen_now):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    booked = appointment_book(appointment=hold, reference="R-a", holder_name="Nguyễn Văn An")
    appointment_reschedule(appointment=booked, starts_at=WED_10)
    assert _stored(booked).slot_starts_at == WED_10
    appointment_reschedule(appointment=_stored(booked), starts_at=THU_8, unit=other_schedule.unit, by_officer=True)
    stored = _stored(booked)
    assert stored.slot_starts_at == THU_8 and stored.slot.starts_at == THU_8 and stored.unit == other_schedule.unit


def test_save_with_the_slot_in_update_fields_copies_its_start(unit, procedure, frozen_now):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    appointment = _stored(hold)
    appointment.slot = Slot.objects.create(unit=unit, starts_at=WED_10, ends_at=at(2026, 12, 2, 10, 15))
    appointment.save(update_fields=["slot"])
    assert _stored(hold).slot_starts_at == WED_10
    appointment.status = "booked"
    appointment.save(update_fields=["status"])  # the slot untouched: the copy stays
    assert _stored(hold).slot_starts_at == WED_10


@pytest.mark.parametrize(
    ("name", "key"),
    [("NGUYỄN VĂN ẤN", "nguyen van an"), ("Đặng Thị  Hồng Nhung", "dang thi hong nhung")],
)
def test_name_key_is_the_name_as_searched(unit, procedure, frozen_now, name, key):
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    assert _stored(hold).name_key == ""  # a hold has no name yet
    booked = appointment_book(appointment=hold, reference="R-a", holder_name=name)
    assert _stored(booked).name_key == key
    # Written by an UPDATE that names only the name (as the privacy erasure does): the database recomputes it.
    Appointment.objects.filter(pk=booked.pk).update(holder_name="Lê Thị Ánh")
    assert _stored(booked).name_key == "le thi anh"
    filing = Filing.objects.create(procedure=procedure, code="K7MX3PQ9", holder_name="Phạm Thị Ngọc Ánh", answers={})
    assert Filing.objects.get(pk=filing.pk).name_key == "pham thi ngoc anh"
    Filing.objects.filter(pk=filing.pk).update(holder_name="TRẦN ĐỨC")
    assert Filing.objects.get(pk=filing.pk).name_key == "tran duc"


def test_migration_fills_every_appointment_in_batches(unit, procedure, frozen_now, monkeypatch):
    migration = import_module("apps.appointments.migrations.0006_slot_start_name_key")
    starts = [WED_9, WED_10, THU_8, at(2026, 12, 3, 9, 0), at(2026, 12, 3, 9, 15)]
    made = [
        appointment_hold(unit=unit, procedure=procedure, starts_at=s, phone=f"091234567{n}", holder_key=f"k{n}")
        for n, s in enumerate(starts)
    ]
    Appointment.objects.update(slot_starts_at=None)  # as the column is when the migration adds it
    monkeypatch.setattr(migration, "BATCH", 2)  # 5 rows: three batches, the last one short
    with connection.cursor() as cursor:
        editor = SimpleNamespace(
            connection=connection,
            quote_name=connection.ops.quote_name,
            execute=lambda sql, params=(): cursor.execute(sql, params),
        )
        migration.fill_slot_starts_at(global_apps, editor)
    assert [_stored(a).slot_starts_at for a in made] == starts


@pytest.mark.postgres
def test_on_postgresql_the_database_keeps_the_slot_start_whatever_writes_the_row(unit, procedure, frozen_now):
    """What the previous release writes during an upgrade (it does not know the column), raw SQL and COPY
    included: the trigger of migration 0007 sets the copy on insert and on a change of slot."""
    hold = appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912345678", holder_key="a")
    later = Slot.objects.create(unit=unit, starts_at=THU_8, ends_at=at(2026, 12, 3, 8, 15))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO appointments_appointment (slot_id, unit_id, procedure_id, status, holder_key, hold_counted, "
            "holder_client, reference, holder_name, phone, id_number, created_at, cancel_reason, reschedule_count, "
            "language) SELECT slot_id, unit_id, procedure_id, 'booked', 'b', false, '', 'R-b', 'Trần Thị Bình', "
            "'+84912000002', '', created_at, '', 0, 'vi' FROM appointments_appointment WHERE id = %s RETURNING id",
            [hold.pk],
        )
        (inserted,) = cursor.fetchone()
        cursor.execute("UPDATE appointments_appointment SET slot_id = %s WHERE id = %s", [later.pk, hold.pk])
    assert Appointment.objects.get(pk=inserted).slot_starts_at == WED_9
    assert _stored(hold).slot_starts_at == THU_8
