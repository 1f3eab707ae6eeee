"""`benchmarks/booking_pgbench.sql` (the database's own rate in `make bench-booking`) writes services.py's hold and
booking statements out by hand. Running it with pgbench against the current schema makes a column or table those
statements gained or lost break this test instead of the benchmark."""

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.appointments.models import Appointment, AppointmentStatus, Slot

from .conftest import at
from .factories import BookingScheduleFactory, ProcedureFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "booking_pgbench.sql"
FIRST = at(2026, 12, 2, 7, 30)


def test_the_pgbench_script_holds_and_books_on_the_current_schema():
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        if os.environ.get("CI"):
            pytest.fail("pgbench is needed (PostgreSQL's client tools)")
        pytest.skip("pgbench is not installed")
    procedure = ProcedureFactory()
    schedule = BookingScheduleFactory(capacity=40)
    procedure.units.add(schedule.unit)
    slots = {}
    for n in range(2):  # the script's clients 0 and 1 take the first two 15-minute slots
        starts_at = FIRST + timedelta(minutes=15 * n)
        slots[starts_at] = Slot.objects.create(
            unit=schedule.unit, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=15)
        )
    db = connection.settings_dict
    command = [pgbench, "-n", "-M", "prepared", "-f", str(SCRIPT), "-c", "2", "-t", "3"]
    command += ["-D", f"unit={schedule.unit.pk}", "-D", f"procedure={procedure.pk}", "-D", f"first={FIRST.isoformat()}"]
    command += ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres"]
    env = os.environ | ({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})
    done = subprocess.run([*command, db["NAME"]], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "number of failed transactions: 0 " in done.stdout, done.stdout
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    assert booked.count() == 6
    assert sorted(booked.values_list("slot__starts_at", "slot_starts_at")) == sorted([(s, s) for s in slots] * 3)
    assert set(booked.values_list("holder_name", flat=True)) == {"Nguyễn Văn An"}
