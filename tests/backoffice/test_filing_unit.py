"""A filing's copy of its appointment's unit (`Filing.unit`): kept true by every write that sets or moves the
appointment, and a ward's filings list and name search show exactly the rows they showed through the appointment
alone; on PostgreSQL a ward's name search reads filings through the unit's index."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.filings.models import Filing
from tests.appointments.factories import BookingScheduleFactory, ProcedureFactory

from .factories import appointment_create, declaration_create

pytestmark = pytest.mark.django_db


def _at(hour, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _unit_id(filing):
    return Filing.objects.values_list("unit_id", flat=True).get(pk=filing.pk)


def test_a_filing_takes_its_appointments_unit_when_created_or_attached(ward_a, ward_b):
    booked = declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(8)))
    assert _unit_id(booked) == ward_a.pk
    waiting = declaration_create()
    assert _unit_id(waiting) is None
    # As the journey does once the time is booked (filings.services: save(update_fields=["appointment"])).
    waiting.appointment = appointment_create(unit=ward_b, starts_at=_at(8, 15))
    waiting.save(update_fields=["appointment"])
    assert _unit_id(waiting) == ward_b.pk
    # A save that does not touch the appointment leaves the copy (and reads nothing more).
    Filing.objects.filter(pk=waiting.pk).update(unit=ward_a)
    waiting.state = "received"
    waiting.save(update_fields=["state"])
    assert _unit_id(waiting) == ward_a.pk


def test_the_counter_booking_records_the_unit(ward_a):
    from apps.filings.services import filing_book_at_counter

    procedure = ProcedureFactory()
    procedure.units.add(ward_a)
    BookingScheduleFactory(unit=ward_a)
    from apps.appointments.selectors import slot_list_nearest

    free = slot_list_nearest(unit=ward_a, procedure=procedure, near=timezone.now() + timedelta(days=3), limit=1)
    filing = filing_book_at_counter(
        procedure=procedure, unit=ward_a, starts_at=free[0].starts_at, holder_name="Lê Văn Tám",
        phone="0912345678", holder_key="counter-test",
    )  # fmt: skip
    assert _unit_id(filing) == ward_a.pk


def test_a_booking_moved_to_another_unit_moves_its_filing(ward_a, ward_b, django_capture_on_commit_callbacks):
    from apps.appointments.selectors import slot_list_nearest
    from apps.appointments.services import appointment_reschedule

    procedure = ProcedureFactory()
    procedure.units.add(ward_a, ward_b)
    BookingScheduleFactory(unit=ward_a)
    BookingScheduleFactory(unit=ward_b)
    near = timezone.now() + timedelta(days=3)
    here = slot_list_nearest(unit=ward_a, procedure=procedure, near=near, limit=1, other_units=0)[0]
    there = slot_list_nearest(unit=ward_b, procedure=procedure, near=near, limit=1, other_units=0)[0]
    filing = declaration_create(
        appointment=appointment_create(unit=ward_a, starts_at=here.starts_at, procedure=procedure)
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=filing.appointment, starts_at=there.starts_at, unit=ward_b, by_officer=True)
    assert _unit_id(filing) == ward_b.pk


def test_deleting_the_appointment_clears_both(ward_a):
    filing = declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(9)))
    filing.appointment.delete()
    assert Filing.objects.values_list("appointment_id", "unit_id").get(pk=filing.pk) == (None, None)


class _Editor:
    """What the migration's function uses of a schema editor (SQLite's cannot open inside a test's transaction)."""

    connection = connection
    quote_name = staticmethod(connection.ops.quote_name)

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_fills_the_unit_of_existing_filings(ward_a, ward_b):
    from importlib import import_module

    from django.apps import apps as django_apps

    migration = import_module("apps.filings.migrations.0011_filing_unit")
    a = declaration_create(appointment=appointment_create(unit=ward_a, starts_at=_at(9)))
    b = declaration_create(appointment=appointment_create(unit=ward_b, starts_at=_at(9)))
    loose = declaration_create()
    Filing.objects.update(unit=None)  # as the rows were before the column
    migration.fill_unit(django_apps, _Editor())
    assert [_unit_id(f) for f in (a, b, loose)] == [ward_a.pk, ward_b.pk, None]


@pytest.fixture
def namesakes(ward_a, ward_b):
    """The same name, written every way, at two wards (and a filing with no appointment yet)."""
    rows = {}
    for i, (key, unit, name) in enumerate(
        [
            ("a1", ward_a, "NGUYỄN VĂN AN"),
            ("a2", ward_a, "nguyễn văn an"),
            ("a3", ward_a, "Nguyen Van Anh"),
            ("a_other", ward_a, "TRẦN THỊ BÍCH"),
            ("b1", ward_b, "NGUYỄN VĂN AN"),
        ]
    ):
        rows[key] = declaration_create(appointment=appointment_create(unit=unit, starts_at=_at(8 + i)), name=name)
    rows["none"] = declaration_create(name="NGUYỄN VĂN AN")
    return rows


def _listed(client, officer, namesakes, term=""):
    client.force_login(officer)
    response = client.get(reverse("admin:filings_filing_changelist"), {"q": term} if term else {})
    assert response.status_code == 200
    names = {f.pk: k for k, f in namesakes.items()}
    return {names[f.pk] for f in response.context["cl"].result_list}


def test_a_ward_sees_its_own_namesakes_only(client, unit_admin_a, district_admin, namesakes):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert _listed(client, unit_admin_a, namesakes, "nguyen van an") == {"a1", "a2", "a3"}
    # The list is narrowed by the filing's own unit (an index of filings), as well as by the appointment's.
    assert any('"filings_filing"."unit_id" IN' in q["sql"] for q in captured.captured_queries)
    assert _listed(client, unit_admin_a, namesakes, "Nguyễn VĂN an") == {"a1", "a2", "a3"}
    assert _listed(client, unit_admin_a, namesakes) == {"a1", "a2", "a3", "a_other"}
    assert _listed(client, district_admin, namesakes, "nguyen van an") == {"a1", "a2", "a3", "b1", "none"}


def test_a_stale_copy_never_shows_another_units_filing(client, unit_admin_a, namesakes, ward_a):
    # Both the filing's unit and its appointment's must be the officer's: a wrong copy hides, never leaks.
    Filing.objects.filter(pk=namesakes["b1"].pk).update(unit=ward_a)
    assert _listed(client, unit_admin_a, namesakes, "nguyen van an") == {"a1", "a2", "a3"}


@pytest.mark.postgres
def test_a_wards_name_search_reads_through_the_units_index(ward_a, ward_b):
    """20,000 filings named as benchmarks/scale.py names them (1,960 names), 1 in 20 at ward A: the ward's search
    reads its filings through the unit's index, not the table. The table is analysed here, so the plan does not
    depend on what earlier tests left in it."""
    from apps.backoffice.search import search_q
    from apps.filings.admin import FilingAdmin
    from benchmarks.scale import _name

    procedure = ProcedureFactory()
    Filing.objects.bulk_create(
        Filing(
            code=f"U{i:07d}",
            procedure=procedure,
            holder_name=_name(i),
            phone="+84901234567",
            id_number=f"{i:012d}",
            unit=ward_a if i % 20 == 0 else ward_b,
            answers={},
        )
        for i in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE filings_filing")
    found = Filing.objects.filter(unit=ward_a).filter(search_q(term="nguyen van an", fields=FilingAdmin.search_spec))
    # "NGUYỄN VĂN *" (every given name: "van" contains "an"): i % 140 == 0, and i % 20 == 0 at ward A.
    assert found.count() == 143
    plan = found.order_by().values("pk").explain()
    # Only the ward's rows are read: a unit's index narrows them first (at this size its 1,000 rows are read and
    # filtered; at 1,050,000 rows, benchmarks/results/scale.md, the unit's 52,500 entries are intersected with the
    # name's trigram index, BitmapAnd, and 250 rows are read).
    assert "filing_unit_submitted" in plan or "filing_unit_state" in plan, plan  # both lead with the unit
    assert "Seq Scan on filings_filing" not in plan, plan


def test_the_scale_generator_writes_only_real_filing_states():
    """benchmarks/scale.py: every state it writes is one of `FilingState` (it once wrote "completed" and "checked",
    which no page shows), in the proportions its docstring gives."""
    from collections import Counter

    from apps.filings.models import FilingState
    from benchmarks.scale import filing_state

    statuses = ["checked_in"] * 7 + ["no_show", "cancelled", "booked"]  # the generated appointments'
    # 10,000 filings of ages 0-999 days: a visit made, then in progress for three weeks, then 85 % collected and
    # 15 % sent by post; a missed or cancelled visit ends so; a past booking never checked in is still submitted.
    states = Counter(filing_state(statuses[n % 10], age_days=n % 1000, pk=n) for n in range(10_000))
    assert set(states) <= set(FilingState.values)
    assert states == {
        "collected": 5800,
        "posted": 1050,
        "received": 70,
        "in_progress": 24,
        "ready": 31,
        "returned": 25,
        "no_show": 1000,
        "cancelled": 1000,
        "submitted": 1000,
    }


def test_the_wards_dashboard_counts_its_filings_by_state(unit_admin_a, namesakes):
    from apps.backoffice.selectors import _filings_by_state
    from apps.backoffice.services import filing_review_move

    filing_review_move(filing=namesakes["a1"], target="returned", user=unit_admin_a, reason="Ảnh mờ")
    chart = _filings_by_state(user=unit_admin_a)
    counts = {bar.label: bar.value for bar in chart.bars if bar.value}
    # Ward A's four filings (not ward B's, nor the one without an appointment), one of them returned.
    assert counts == {"Đã nộp": 3, "Trả lại để bổ sung, sửa đổi": 1}
