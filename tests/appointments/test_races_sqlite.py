"""The embedded default (SQLite) under concurrency: BEGIN IMMEDIATE serialises the check-then-write.

pytest-django's SQLite test database lives in shared-cache memory, where a second writer gets "table is locked"
at once instead of waiting (shared-cache locking ignores the busy timeout). The portal runs on a database *file*,
so this race runs on one: the default connection settings (IMMEDIATE transactions, WAL, 20 s timeout) are pointed
at a temporary file for the test, used only from worker threads (the main thread keeps its memory database).
"""

import threading

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_book, appointment_hold

from .conftest import NOW, at
from .factories import BookingScheduleFactory, ProcedureFactory
from .racing import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="the SQLite path"
    ),
]

TARGET = at(2026, 12, 3, 9, 0)


def in_thread(fn):
    """Run `fn` on its own connection (a new thread) and return its result."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as error:
            result["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.fixture
def sqlite_file(tmp_path):
    database = connections.settings["default"]
    original = database["NAME"]
    database["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        in_thread(lambda: call_command("migrate", verbosity=0))
        yield database
    finally:
        database["NAME"] = original


def test_racing_holds_and_bookings_on_a_sqlite_file(sqlite_file):
    assert sqlite_file["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with time_machine.travel(NOW, tick=True):

        def setup():
            procedure = ProcedureFactory()
            schedule = BookingScheduleFactory(capacity=5)
            procedure.units.add(schedule.unit)
            return schedule.unit, procedure

        unit, procedure = in_thread(setup)

        def hold_and_book(i):
            hold = appointment_hold(
                unit=unit, procedure=procedure, starts_at=TARGET, phone=f"+8491{i:07d}", holder_key=f"h{i}"
            )
            return appointment_book(appointment=hold, reference=f"R{i}", holder_name="Nguyễn Văn An")

        outcomes = race([(lambda i=i: hold_and_book(i)) for i in range(40)], workers=6)
    assert not outcomes.crashed and not outcomes.other
    assert len(outcomes.ok) == 5
    assert outcomes.refusal_codes == {"full": 35}
    assert in_thread(lambda: Appointment.objects.filter(status=AppointmentStatus.BOOKED).count()) == 5
