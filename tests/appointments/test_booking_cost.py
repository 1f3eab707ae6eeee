"""What a hold and its booking cost the shared services: PostgreSQL plans booking's statements once per connection
(they are prepared on their first run), and a process fetches a day's calendar from the shared cache once, not
at every hold and booking, while an officer's change to the calendar is still seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.appointments import selectors
from apps.appointments.services import SlotUnavailable, appointment_book, appointment_hold
from apps.core.prepared import statement_cursor

from .conftest import at
from .factories import ClosureFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _pair(unit, procedure, n: int):
    hold = appointment_hold(
        unit=unit, procedure=procedure, starts_at=WED_9, phone=f"09120000{n:02d}", holder_key=f"k{n}"
    )
    return appointment_book(appointment=hold, reference=f"R{n}", holder_name="Nguyễn Văn An")


def _prepared_booking_statements() -> dict[str, int]:
    """This connection's prepared statements that touch the appointments tables: statement -> times planned."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%%appointments_%%'"
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres
def test_booking_statements_are_prepared_once_and_reused_in_a_connection(schedule, unit, procedure, frozen_now):
    schedule.capacity = 10
    schedule.save()
    _pair(unit, procedure, 1)  # the time's first hold also creates its slot row: an insert and a second lock
    _pair(unit, procedure, 2)
    with CaptureQueriesContext(connection) as third:
        _pair(unit, procedure, 3)
    prepared = _prepared_booking_statements()
    # Each pair: hold (lock, counts releasing the holder's previous hold, insert) and booking (lock, counts,
    # update): six statements, run three times from one preparation; the slot's creation (2 statements) once.
    assert sorted(prepared.values()) == [1, 1, 3, 3, 3, 3, 3, 3], list(prepared)
    assert any(s.startswith("INSERT INTO appointments_slot") for s in prepared)
    assert any(s.startswith("INSERT INTO appointments_appointment") for s in prepared)
    assert any(s.startswith("UPDATE appointments_appointment SET status") for s in prepared)
    # Query logging (and with it the query-count tests and execute wrappers) still sees every statement.
    logged = [q["sql"] for q in third.captured_queries]
    assert sum("FOR UPDATE" in sql for sql in logged) == 2
    assert sum(sql.startswith("INSERT INTO appointments_appointment") for sql in logged) == 1


@pytest.mark.postgres
def test_without_a_prepare_threshold_nothing_is_prepared(unit, procedure, frozen_now):
    """DATABASE_PREPARE_THRESHOLD= (a pooler that keeps no prepared statements): statements bound in the client."""
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        _pair(unit, procedure, 1)
        _pair(unit, procedure, 2)
        assert _prepared_booking_statements() == {}
        with statement_cursor() as cursor:
            assert type(cursor.cursor).__name__ == "Cursor"  # Django's client-binding cursor
    finally:
        raw.prepare_threshold = kept


def test_a_hold_and_its_booking_fetch_the_days_calendar_from_the_shared_cache_once(
    unit, procedure, frozen_now, monkeypatch
):
    fetched = []
    get = selectors.cache.get

    def counting_get(key, *args, **kwargs):
        if key.startswith("appointments:offer:"):
            fetched.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(selectors.cache, "get", counting_get)
    _pair(unit, procedure, 1)
    _pair(unit, procedure, 2)
    assert len(fetched) == 1

    # An officer closes the day: the next hold is refused at once (the calendar's version changed everywhere).
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 2, 0), ends_at=at(2026, 12, 3, 0), reason="Bầu cử")
    with pytest.raises(SlotUnavailable) as caught:
        _pair(unit, procedure, 3)
    assert caught.value.code == "closed"
    assert len(fetched) == 2
