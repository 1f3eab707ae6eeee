#!/usr/bin/env python
"""A city's years of data in PostgreSQL, then what officers and workers do with it: `make bench-scale`.

1. Generate (once; kept in its own database, BENCH_SCALE_DATABASE, default `portal_scale_big`, reused by later
   runs unless BENCH_SCALE_REGENERATE=1): the demo units and procedures (`load_demo`), 20 units taking bookings,
   slots over 3 years, 1,000,000 past appointments + 50,000 booked for tomorrow, one filing per appointment,
   2,000,000 messages. Rows go in with COPY (psycopg), then VACUUM (ANALYZE). BENCH_SCALE_FACTOR scales the counts.
2. Measure, each BENCH_SCALE_REPEAT times (median, min-max): tomorrow's reminders (queued to Redis DB
   BENCH_SCALE_REDIS, then the queue is emptied), exports (each in its own process, peak RSS), every admin list
   (default view, each filter, search by name/phone/code), the dashboard, the roster, lookup and the slot picker
   (cache cleared before each request), as the superuser and again as a ward's unit administrator (median and
   p95). For each page, the slowest query's EXPLAIN ANALYZE is recorded.
3. Write benchmarks/results/scale.md.

    make bench-scale
    BENCH_SCALE_ONLY=admin make bench-scale        # one part: generate, reminders, exports, admin, pages
"""

import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "portal_scale_big")
REDIS_DB = os.environ.get("BENCH_SCALE_REDIS", "6")
FACTOR = float(os.environ.get("BENCH_SCALE_FACTOR", "1"))
REPEAT = int(os.environ.get("BENCH_SCALE_REPEAT", "3"))
ONLY = {p for p in os.environ.get("BENCH_SCALE_ONLY", "").split(",") if p}
RESULTS = ROOT / "benchmarks" / "results" / "scale.md"
RAW = ROOT / "benchmarks" / "results" / "scale.json"

UNITS = 20
PAST_APPOINTMENTS = int(1_000_000 * FACTOR)
TOMORROW_BOOKINGS = int(50_000 * FACTOR)
MESSAGES = int(2_000_000 * FACTOR)
YEARS = 3

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Hồng", "Đức", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Nhung", "Phúc", "Quân"]


def database_url(name: str) -> str:
    parts = urlsplit(SERVER_URL)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("benchmarks/scale.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url(DATABASE)
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-scale-" + "x" * 50)
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_HTTPS"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.scale_settings"
    os.environ.setdefault("EXPORTS_ROOT", str(ROOT / "var" / "bench-scale-exports"))
    import django

    django.setup()


# --- Generation -----------------------------------------------------------------------------------------------
def database_exists() -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone())


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _name(i: int) -> str:
    return f"{FAMILY[i % 14]} {MIDDLE[(i // 14) % 10]} {GIVEN[(i // 140) % 14]}".upper()


def filing_state(appointment_status: str, age_days: float, pk: int) -> str:
    """A filing's state (one of `FilingState`, checked by the test of this script) from its appointment's status
    and age: a visit missed or cancelled ends the filing so; a visit made is received, then in progress (a few
    returned for correction), then ready, and after three weeks collected (85 %) or sent by post (15 %); a past
    booking nobody checked in is still submitted. `FILING_STATE_SQL` is the same rule for a data set generated
    before it (see `fix_filing_states`)."""
    if appointment_status in ("no_show", "cancelled"):
        return appointment_status
    if appointment_status != "checked_in":
        return "submitted"
    spread = pk // 10  # not pk: the appointment's status follows pk % 10
    if age_days < 7:
        return ("received", "in_progress")[spread % 2]
    if age_days < 21:
        return ("in_progress", "ready", "returned")[spread % 3]
    return "collected" if spread % 20 < 17 else "posted"


FILING_STATE_SQL = """
UPDATE filings_filing AS f SET state = CASE
    WHEN a.status IN ('no_show', 'cancelled') THEN a.status
    WHEN a.status <> 'checked_in' THEN 'submitted'
    WHEN f.submitted_at > now() - interval '7 days' THEN (ARRAY['received', 'in_progress'])[a.id / 10 % 2 + 1]
    WHEN f.submitted_at > now() - interval '21 days' THEN (ARRAY['in_progress', 'ready', 'returned'])[a.id / 10 % 3 + 1]
    WHEN a.id / 10 % 20 < 17 THEN 'collected' ELSE 'posted' END
FROM appointments_appointment AS a
WHERE a.id = f.appointment_id AND EXISTS (SELECT 1 FROM filings_filing WHERE state IN ('completed', 'checked'))
"""


def fix_filing_states() -> int:
    """A data set generated before `filing_state` has filings "completed" and "checked", states the portal does
    not have (the dashboard never showed 60 % of the filings): give every generated filing the state the
    generator now gives it, once (nothing happens when no such state is left)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FILING_STATE_SQL)
        changed = cursor.rowcount
    with connection.cursor() as cursor:  # the visibility map of the rows a migration or this rewrote
        cursor.execute("VACUUM (ANALYZE) filings_filing")
    return changed


def _phone(i: int) -> str:
    return f"+8491{(i * 7919) % 10_000_000:07d}"  # 091: a valid Vinaphone prefix


def _copy(cursor, model, columns: list[str], rows) -> int:
    """COPY rows into the model's table; columns the generator does not give take their field default."""
    # Generated columns (e.g. `name_key`) are computed by the database: COPY must not name them.
    fields = [f for f in model._meta.concrete_fields if (not f.primary_key or f.attname in columns) and not f.generated]
    given = set(columns)
    extra = [f for f in fields if f.attname not in given and not f.primary_key]
    from django.db import connection
    from django.utils import timezone

    defaults = []
    for field in extra:
        value = field.get_default() if field.has_default() or not field.null else None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        if value is not None:
            value = field.get_db_prep_save(value, connection)
            if isinstance(value, dict | list):
                value = json.dumps(value)
            elif hasattr(value, "dumps"):  # psycopg's Jsonb wrapper
                value = json.dumps(value.obj)
        defaults.append(value)
    names = [*columns, *(f.column for f in extra)]
    count = 0
    # Bulk load: secondary indexes (not the primary key or constraints) are dropped during COPY and built after,
    # which is several times faster than maintaining them row by row.
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [model._meta.db_table, model._meta.db_table],
    )
    secondary = cursor.fetchall()
    for name, _definition in secondary:
        cursor.execute(f'DROP INDEX "{name}"')
    with cursor.copy(f'COPY "{model._meta.db_table}" ({", ".join(names)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row((*row, *defaults))
            count += 1
    for _index, definition in secondary:
        cursor.execute(definition)
    return count


def generate() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from apps.appointments.models import Appointment, BookingSchedule, Slot
    from apps.filings.models import Filing
    from apps.notifications.models import Notification
    from apps.procedures.models import Procedure
    from apps.units.models import OpeningHours, PoliceUnit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)
    units = list(PoliceUnit.objects.filter(is_active=True).exclude(kind="city").order_by("order", "pk"))
    district = PoliceUnit.objects.filter(kind="district").first()
    while len(units) < UNITS:
        n = len(units)
        units.append(
            PoliceUnit.objects.create(
                kind="ward", parent=district, name=f"Công an Phường Thử {n}", slug=f"bench-{n}", address="1 Bến"
            )
        )
    units = units[:UNITS]
    for unit in units:
        BookingSchedule.objects.update_or_create(
            unit=unit, defaults={"capacity": 200, "lead_time_hours": 0, "horizon_days": 60, "is_active": True}
        )
        if not OpeningHours.objects.filter(unit=unit).exists():
            for weekday in range(5):
                OpeningHours.objects.create(unit=unit, weekday=weekday, opens="07:30", closes="11:30")
                OpeningHours.objects.create(unit=unit, weekday=weekday, opens="13:30", closes="17:00")
    procedures = list(Procedure.objects.order_by("pk").values_list("pk", flat=True))
    for unit in units:
        for procedure in Procedure.objects.all():
            procedure.units.add(unit)
    user_model = get_user_model()
    if not user_model.objects.filter(username="bench.admin").exists():
        user_model.objects.create_superuser("bench.admin", "bench@example.invalid", secrets.token_urlsafe(16))

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    times = [
        dtime(h, m)
        for h, m in [(7, 30), (7, 45)] + [(h, m) for h in range(8, 17) for m in (0, 15, 30, 45)]
        if not (dtime(11, 30) <= dtime(h, m) < dtime(13, 30))
    ]
    days = [today - timedelta(days=d) for d in range(int(365 * YEARS * max(FACTOR, 0.02)), 0, -1)]
    days = [d for d in days if d.weekday() < 5] + [today, tomorrow]
    slot_id = (Slot.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    slots_by_day: dict[date, list[tuple[int, int, datetime]]] = {}
    slot_rows = []
    for day in days:
        for unit in units:
            for t in times:
                starts_at = datetime.combine(day, t, tzinfo=tz)
                slot_rows.append((slot_id, unit.pk, starts_at, starts_at + timedelta(minutes=15)))
                slots_by_day.setdefault(day, []).append((slot_id, unit.pk, starts_at))
                slot_id += 1
    counts = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        counts["slots"] = _copy(raw, Slot, ["id", "unit_id", "starts_at", "ends_at"], slot_rows)
        past_slots = [s for d in days[:-2] for s in slots_by_day[d]]
        future_slots = slots_by_day[tomorrow]
        appointment_id = (Appointment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_appointment = appointment_id
        statuses = ["checked_in"] * 7 + ["no_show", "cancelled", "booked"]

        def appointment_rows():
            nonlocal appointment_id
            for i in range(PAST_APPOINTMENTS + TOMORROW_BOOKINGS):
                if i < PAST_APPOINTMENTS:
                    slot_pk, unit_pk, starts_at = past_slots[i % len(past_slots)]
                    status = statuses[i % 10]
                else:
                    slot_pk, unit_pk, starts_at = future_slots[i % len(future_slots)]
                    status = "booked"
                yield (
                    appointment_id,
                    slot_pk,
                    starts_at,
                    unit_pk,
                    procedures[i % len(procedures)],
                    status,
                    f"B{appointment_id:08d}",
                    _name(i),
                    _phone(i),
                    f"079{i:09d}",
                    starts_at - timedelta(days=3),
                    starts_at - timedelta(days=3),
                    starts_at - timedelta(days=1) if status == "cancelled" else None,
                    "vi" if i % 9 else "en",
                )
                appointment_id += 1

        counts["appointments"] = _copy(
            raw,
            Appointment,
            [
                "id",
                "slot_id",
                "slot_starts_at",
                "unit_id",
                "procedure_id",
                "status",
                "reference",
                "holder_name",
                "phone",
                "id_number",
                "created_at",
                "booked_at",
                "cancelled_at",
                "language",
            ],
            appointment_rows(),
        )
        last_appointment = appointment_id - 1

        def filing_rows():
            for n, pk in enumerate(range(first_appointment, last_appointment + 1)):
                age_days = (PAST_APPOINTMENTS - n) * 365 * YEARS / max(PAST_APPOINTMENTS, 1)
                if n < PAST_APPOINTMENTS:
                    slot_pk, unit_pk, starts_at = past_slots[n % len(past_slots)]
                    state = filing_state(statuses[n % 10], age_days, pk)
                else:
                    slot_pk, unit_pk, starts_at = future_slots[n % len(future_slots)]
                    state = "submitted"
                yield (
                    f"F{pk:09d}",
                    procedures[n % len(procedures)],
                    _name(n),
                    f"079{n:09d}",
                    _phone(n),
                    json.dumps({"note": "bench"}),
                    pk,
                    unit_pk,
                    state,
                    timezone.now() - timedelta(days=age_days),
                )

        counts["filings"] = _copy(
            raw,
            Filing,
            [
                "code",
                "procedure_id",
                "holder_name",
                "id_number",
                "phone",
                "answers",
                "appointment_id",
                "unit_id",
                "state",
                "submitted_at",
            ],
            filing_rows(),
        )
        from django.contrib.contenttypes.models import ContentType

        appointment_type = ContentType.objects.get_for_model(Appointment).pk
        kinds = ["filing_confirmed", "appointment_reminder", "otp", "procedure_booked", "appointment_cancelled"]
        span = 365 * YEARS * 86400

        def message_rows():
            now = timezone.now()
            for i in range(MESSAGES):
                created = now - timedelta(seconds=span * (MESSAGES - i) / MESSAGES)
                ref = first_appointment + (i // 2) % max(PAST_APPOINTMENTS, 1)
                yield (
                    kinds[i % 5],
                    "vi" if i % 9 else "en",
                    json.dumps({"name": _name(i // 2), "reference": f"B{ref:08d}", "unit": "Công an Phường 1"}),
                    _phone(i // 2),
                    appointment_type,
                    str(ref),
                    "sent" if i % 50 else "failed",
                    "outbox",
                    uuid.uuid4().hex,
                    f"V{i:09d}",
                    created,
                    created,
                )

        counts["messages"] = _copy(
            raw,
            Notification,
            [
                "kind",
                "language",
                "context",
                "phone",
                "subject_type_id",
                "subject_id",
                "status",
                "channel",
                "idempotency_key",
                "verification_code",
                "created_at",
                "sent_at",
            ],
            message_rows(),
        )
        for model in (Slot, Appointment):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
        # Vacuumed as autovacuum keeps a live database: index-only scans (the dashboard's counts) need the
        # visibility map, which a table just filled by COPY does not have yet.
        cursor.execute("VACUUM (ANALYZE)")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["tomorrow"] = tomorrow.isoformat()
    print(f"generated {counts}")
    return counts


# --- Measuring helpers ----------------------------------------------------------------------------------------
def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        # The 95th percentile, interpolated between the two slowest runs (with few runs, near the max).
        "p95": statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0],
        "runs": len(values),
    }


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        return [row[0] for row in cursor.fetchall()]


def slowest_query(queries: list[dict]) -> dict | None:
    real = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    return max(real, key=lambda q: float(q["time"]), default=None)


# --- Reminders ------------------------------------------------------------------------------------------------
def measure_reminders(counts: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.notifications.models import Notification
    from apps.notifications.reminders import reminders_run
    from config.celery import app

    today = timezone.localdate()
    morning = datetime.combine(today, dtime(9), tzinfo=timezone.get_current_timezone())
    day = today + timedelta(days=1)
    runs, queries, queued = [], [], []
    plan = None
    for _ in range(int(os.environ.get("BENCH_SCALE_REMINDER_REPEAT", "2"))):
        Notification.objects.filter(dedup_key__startswith="reminder:", dedup_key__endswith=f":{day:%Y-%m-%d}").delete()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            run = reminders_run(now=morning)
            runs.append(time.perf_counter() - began)
        queries.append(len(captured.captured_queries))
        queued.append(run.queued)
        if plan is None:
            ids_sql = captured.captured_queries[0]["sql"]
            plan = explain(ids_sql)
            rows_sql = next(q["sql"] for q in captured.captured_queries if "citizen_language" in q["sql"])
            plan_rows = explain(rows_sql)
        app.control.purge()  # the bench has no worker: empty the queue it filled
    print(f"reminders: {queued} queued in {runs} s, {queries} queries")
    return {"seconds": summary(runs), "queued": queued, "queries": queries, "plan": plan, "plan_rows": plan_rows}


# --- Exports --------------------------------------------------------------------------------------------------
EXPORTS = {
    "ward-xlsx": ("xlsx", "unit__id__exact={ward}"),
    "district-csv-300k": ("csv", "slot__starts_at__gte={since}"),
    "district-xlsx-300k": ("xlsx", "slot__starts_at__gte={since}"),
}


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM (Linux) starts again at exec; `ru_maxrss` does not: a child
    forked from the bench's own process reported the parent's peak (354 MB for every export, after the pages had
    grown it) instead of its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_child(name: str) -> None:
    """Run one export in this (fresh) process and print its figures as JSON."""
    setup_django()
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.appointments.models import Appointment
    from apps.exports.services import export_job_request, export_job_run

    fmt, query = EXPORTS[name]
    user = get_user_model().objects.get(username="bench.admin")
    ward = Appointment.objects.values_list("unit_id", flat=True).order_by("pk").first()
    # The day from which the district's appointments number about 300,000 (a third of them on a small run).
    wanted = min(300_000, Appointment.objects.count() // 3)
    since = Appointment.objects.order_by("-slot__starts_at").values_list("slot__starts_at", flat=True)[wanted]
    query_string = query.format(ward=ward, since=since.date().isoformat())
    job = export_job_request(
        user=user,
        model_admin=admin.site._registry[Appointment],
        query_string=query_string,
        selected_ids=None,
        fmt=fmt,
        language="vi",
    )
    rss_before = _peak_rss_mb()
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        job = export_job_run(job_id=job.pk)
        seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "status": job.status,
                "rows": job.rows_done,
                "seconds": seconds,
                "peak_rss_mb": _peak_rss_mb(),
                "rss_before_mb": rss_before,
                "queries": len(captured.captured_queries),
                "query_string": query_string,
            }
        )
    )


def measure_exports() -> dict:
    results = {}
    wanted = os.environ.get("BENCH_SCALE_EXPORTS", ",".join(EXPORTS)).split(",")
    for name in wanted:
        runs = []
        for _ in range(int(os.environ.get("BENCH_SCALE_EXPORT_REPEAT", "1"))):
            out = subprocess.run(
                [sys.executable, __file__, "export-child", name],
                capture_output=True,
                text=True,
                check=True,
                env=os.environ,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        results[name] = {
            "rows": runs[0]["rows"],
            "status": runs[0]["status"],
            "seconds": summary([r["seconds"] for r in runs]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "queries": [r["queries"] for r in runs],
            "query_string": runs[0]["query_string"],
        }
        print(f"export {name}: {results[name]}")
    return results


# --- Pages ----------------------------------------------------------------------------------------------------
def pages(counts: dict) -> list[tuple[str, str, str, dict | None]]:
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from apps.appointments.models import Appointment

    sample = Appointment.objects.order_by("-pk").values("pk", "unit_id", "reference", "phone", "holder_name").first()
    sample["reference"] = _sample_code(sample["pk"], sample["reference"])
    unit = sample["unit_id"]
    local_phone = "0" + sample["phone"][3:]
    spaced_phone = f"{local_phone[:4]} {local_phone[4:7]} {local_phone[7:]}"
    name = "nguyen van an"
    # The day of the generated bookings for "tomorrow" (the last appointment is one of them), whatever day this is.
    tomorrow = timezone.localdate(
        Appointment.objects.filter(pk=sample["pk"]).values_list("slot__starts_at", flat=True).get()
    ).isoformat()
    result = []
    for model, label in (
        ("appointments_appointment", "appointments"),
        ("filings_filing", "filings"),
        ("declarations_declaration", "declarations (old model)"),
        ("notifications_notification", "messages"),
        ("backoffice_auditlogentry", "audit log"),
    ):
        try:
            url = reverse(f"admin:{model}_changelist")
        except NoReverseMatch:  # a model some branch has removed
            continue
        result.append((label, "default view", url, None))
        filters = {
            "appointments": [
                ("status", "status__exact=booked"),
                ("unit", f"unit__id__exact={unit}"),
                ("procedure", "procedure__id__exact=1"),
                ("date: today", "slot__starts_at__gte={today}&slot__starts_at__lt={tomorrow}"),
            ],
            "filings": [("state", "state__exact=submitted"), ("procedure", "procedure__id__exact=1")],
            "messages": [("status", "status__exact=failed"), ("kind", "kind__exact=otp")],
        }.get(label, [])
        today = timezone.localdate()
        for what, query in filters:
            query = query.format(today=today.isoformat(), tomorrow=(today + timedelta(days=1)).isoformat())
            result.append((label, f"filter {what}", f"{url}?{query}", None))
        if label in ("appointments", "filings", "messages", "declarations (old model)"):
            result.append((label, "search name", f"{url}?q={name.replace(' ', '+')}", None))
            result.append((label, "search phone", f"{url}?q={spaced_phone.replace(' ', '+')}", None))
            result.append((label, "search code", f"{url}?q={sample['reference']}", None))
    result.append(("back office", "dashboard", reverse("admin:index"), None))
    roster = reverse("backoffice:roster")
    result.append(("back office", "roster tomorrow", f"{roster}?unit={unit}&day={tomorrow}", None))
    result += citizen_pages(unit_id=unit)
    return result


def _sample_code(appointment_id: int, reference: str) -> str:
    """The generated codes (B00000001, F000000001) are not valid codes, which the search takes for names: give the
    sampled booking and its filing one real code (as the citizen's journey does) so "search code" finds a row."""
    from apps.appointments.models import Appointment
    from apps.core.codes import code_generate, code_is_valid
    from apps.filings.models import Filing

    if code_is_valid(reference):
        return reference
    code = code_generate(length=8)
    Appointment.objects.filter(pk=appointment_id).update(reference=code)
    Filing.objects.filter(appointment_id=appointment_id).update(code=code)
    return code


def ward_pages(counts: dict) -> list[tuple[str, str, str, dict | None]]:
    """What a ward's administrator (one unit, the one with tomorrow's bookings) opens: their lists are the same
    pages with every query limited to their unit."""
    from django.urls import reverse

    rows = []
    for group, what, url, data in pages(counts):
        if group == "citizen" or group in ("messages", "audit log", "declarations (old model)"):
            continue  # not their pages (district administrators only) or measured as the citizen
        if "unit__id__exact" in url or "procedure" in what:
            continue
        rows.append((f"ward admin: {group}", what, url, data))
    assert any(reverse("admin:index") == r[2] for r in rows)
    return rows


def citizen_pages(*, unit_id: int) -> list[tuple[str, str, str, dict | str | None]]:
    """Lookup (a filing of tomorrow's, given a valid code) and the slot picker of the unit with tomorrow's
    bookings: its days over the whole horizon and the times of its first open day (cache cleared first)."""
    from django.urls import reverse
    from django.utils import timezone

    from apps.appointments.selectors import slot_list_available
    from apps.core.codes import code_generate, code_is_valid
    from apps.filings.models import Filing
    from apps.procedures.models import Procedure
    from apps.units.models import PoliceUnit

    filing = Filing.objects.filter(appointment__unit_id=unit_id).order_by("-pk").first()
    if not code_is_valid(filing.code):  # the generated codes have no check character: give this one a real code
        filing.code = code_generate(length=8)
        filing.save(update_fields=["code"])
    rows: list[tuple[str, str, str, dict | str | None]] = [
        ("citizen", "lookup: code + phone", reverse("filings:lookup"), {"code": filing.code, "phone": filing.phone}),
    ]
    unit = PoliceUnit.objects.get(pk=unit_id)
    procedure = Procedure.objects.get(slug="cap-cccd")
    start = timezone.localdate()
    days = slot_list_available(unit=unit, procedure=procedure, start=start, end=start + timedelta(days=14))
    first_open = next((d.day for d in days if d.free_slots), start)
    picker = "/thu-tuc/cap-cccd/lich-hen/"
    rows.append(("citizen", "slot picker: days (uncached)", f"{picker}?unit={unit.slug}", "journey"))
    rows.append(
        ("citizen", "slot picker: times (uncached)", f"{picker}?unit={unit.slug}&day={first_open:%Y-%m-%d}", "journey")
    )
    return rows


def _ward_officer():
    """A ward administrator (the back office's role) of the unit with tomorrow's bookings."""
    from django.contrib.auth.models import Group

    from apps.accounts.models import User
    from apps.appointments.models import Appointment
    from apps.backoffice import roles

    unit_id = Appointment.objects.order_by("-pk").values_list("unit_id", flat=True).first()
    user, _created = User.objects.get_or_create(
        username="bench.ward", defaults={"is_staff": True, "email": "ward@example.invalid"}
    )
    user.groups.set([Group.objects.get(name=roles.UNIT_ADMINISTRATOR)])
    user.units.set([unit_id])
    return User.objects.get(pk=user.pk)


def measure_pages(counts: dict) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.models import User

    client = Client()
    admin_user = User.objects.get(username="bench.admin")
    client.force_login(admin_user)
    # Signed in as the sign-in form does with a code (apps.backoffice.signin): the session names a verified device.
    device = TOTPDevice.objects.filter(user=admin_user, confirmed=True).first() or TOTPDevice.objects.create(
        user=admin_user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    ward_client = Client()
    ward_user = _ward_officer()
    ward_client.force_login(ward_user)
    ward_device = TOTPDevice.objects.filter(user=ward_user, confirmed=True).first() or TOTPDevice.objects.create(
        user=ward_user, name="bench", confirmed=True
    )
    ward_session = ward_client.session
    ward_session[DEVICE_ID_SESSION_KEY] = ward_device.persistent_id
    ward_session.save()
    rows = []
    everyone = [(client, *page) for page in pages(counts)] + [(ward_client, *page) for page in ward_pages(counts)]
    for officer_client, group, what, url, data in everyone:
        times, statuses, queries = [], set(), []
        slowest = None
        for _ in range(REPEAT):
            cache.clear()
            if data == "journey":  # the picker is a step of a journey: start it (not timed)
                officer_client.get("/thu-tuc/cap-cccd/")
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = officer_client.post(url, data) if isinstance(data, dict) else officer_client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            statuses.add(response.status_code)
            queries.append(len(captured.captured_queries))
            q = slowest_query(captured.captured_queries)
            if q and (slowest is None or float(q["time"]) > float(slowest["time"])):
                slowest = q
        plan = explain(slowest["sql"]) if slowest else []
        row = {
            "group": group,
            "what": what,
            "url": url,
            "ms": summary(times),
            "status": sorted(statuses),
            "queries": max(queries),
            "slowest_ms": float(slowest["time"]) * 1000 if slowest else 0,
            "slowest_sql": slowest["sql"][:400] if slowest else "",
            "plan": plan,
        }
        print(f"{group:24} {what:22} {row['ms']['median']:8.0f} ms (p95 {row['ms']['p95']:.0f}) {row['status']}")
        rows.append(row)
    return rows


# --- Report ---------------------------------------------------------------------------------------------------
NOTES_MARK = "<!-- notes: kept when the script rewrites the figures above -->"


def _ms(s: dict) -> str:
    return f"{s['median']:.0f} ({s['min']:.0f}–{s['max']:.0f})"


def _plan_summary(plan: list[str]) -> str:
    """The plan's scan nodes (which tables by which index) and its execution time, on one line."""
    nodes = []
    for line in plan:
        text = line.strip().lstrip("-> ").strip()
        if any(k in text for k in ("Scan", "Execution Time")):
            nodes.append(text.split("  ")[0])
    return "; ".join(dict.fromkeys(nodes))[:400].replace("|", "\\|")


def write_results(data: dict) -> None:
    RAW.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    m = data["machine"]
    rows = data.get("rows", {})
    lines = [
        "# Scale: a city's years of data (PostgreSQL)",
        "",
        f"Measured {m['when']} by `make bench-scale` (benchmarks/scale.py) on this machine: {m['cpus']} cores shared "
        f"with other sessions (load average {m['load_before']:.1f} before, {m.get('load_after', 0):.1f} after), "
        f"PostgreSQL {m.get('postgres', '?')}, Python {m['python']}. Each figure is the median of {m['repeat']} "
        "runs with (min–max); raw figures in benchmarks/results/scale.json.",
        "",
        "## Data set",
        "",
        "Generated once by the script with COPY into its own database (`portal_scale_big`), then ANALYZE: "
        + ", ".join(f"{name} {count:,}" for name, count in sorted(rows.items()))
        + f" rows. Generation took {data.get('generate', {}).get('seconds', '?')} s. 20 units, 3 years of slots, "
        "50,000 bookings tomorrow, one filing per appointment, 2,000,000 messages.",
        "",
    ]
    if "reminders" in data:
        r = data["reminders"]
        lines += [
            "## Reminders for tomorrow",
            "",
            "| Reminders queued | Seconds | Queries | Target |",
            "| ---: | ---: | ---: | --- |",
            f"| {r['queued'][0]:,} | {r['seconds']['median']:.1f} ({r['seconds']['min']:.1f}–{r['seconds']['max']:.1f})"
            f" | {max(r['queries'])} | 50,000 in < 60 s |",
            "",
            f"The list (one query): {_plan_summary(r['plan'])}",
            "",
            f"A chunk's rows with the citizen's language: {_plan_summary(r['plan_rows'])}",
            "",
        ]
    if "exports" in data:
        lines += [
            "## Exports (background job, each in a fresh process)",
            "",
            "| Export | Rows | Seconds | Peak memory of the process | Queries | Target |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, e in data["exports"].items():
            lines.append(
                f"| {name} (`{e['query_string']}`) | {e['rows']:,} | {e['seconds']['median']:.1f} "
                f"({e['seconds']['min']:.1f}–{e['seconds']['max']:.1f}) | {e['peak_rss_mb']:.0f} MB | "
                f"{max(e['queries'])} | < 200 MB |"
            )
        lines.append("")
    if "pages" in data:
        lines += [
            "## Officers' pages (cache cleared before every request)",
            "",
            "Rendered through Django's test client as a superuser (every unit), so the time includes the query, the "
            f"admin's Python and the template, without the network. Target: p95 < 500 ms; p95 of {m['repeat']} runs, "
            "interpolated between the slowest two. HTTP: the answer's status (302 for the lookup is its redirect to "
            'the filing found). "ward admin": the same pages for a unit administrator of the unit with tomorrow\'s '
            "bookings (every query limited to that unit).",
            "",
            "| List | View | HTTP | ms median (min–max) | ms p95 | Queries | Slowest query (ms) "
            "| Its plan (scans; execution time) |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for p in data["pages"]:
            p95 = p["ms"].get("p95", p["ms"]["max"])
            lines.append(
                f"| {p['group']} | {p['what']} | {'/'.join(str(c) for c in p.get('status', []))} | {_ms(p['ms'])} | "
                f"{p95:.0f} | {p['queries']} | {p['slowest_ms']:.0f} | {_plan_summary(p['plan'])} |"
            )
        lines.append("")
    notes = ""
    if RESULTS.exists() and NOTES_MARK in RESULTS.read_text():
        notes = RESULTS.read_text().split(NOTES_MARK, 1)[1]
    RESULTS.write_text("\n".join(lines) + "\n" + NOTES_MARK + notes, encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "export-child":
        export_child(sys.argv[2])
        return
    fresh = os.environ.get("BENCH_SCALE_REGENERATE") == "1" or not database_exists()
    if fresh:
        recreate_database()
    setup_django()
    data = json.loads(RAW.read_text()) if RAW.exists() else {}
    data["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": os.getloadavg()[0],
        "when": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "repeat": REPEAT,
        "factor": FACTOR,
    }
    if fresh:
        data["generate"] = generate()
        RAW.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    else:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        call_command("migrate", verbosity=0)  # indexes added since the data was generated
        if pending:  # as autovacuum would, before measuring: statistics and the visibility map of rewritten tables
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            data.setdefault("generate", {})["migrated"] = [f"{m.app_label}.{m.name}" for m, _backwards in pending]
        fixed = fix_filing_states()
        if fixed:
            data.setdefault("generate", {})["states_fixed"] = fixed
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        data["machine"]["postgres"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN "
            "('appointments_appointment', 'appointments_slot', 'filings_filing', 'notifications_notification')"
        )
        data["rows"] = dict(cursor.fetchall())
    counts = data.get("generate", {})
    # Each part's figures are written as soon as it ends (a later part may be run on its own).
    if not ONLY or "reminders" in ONLY:
        data["reminders"] = measure_reminders(counts)
        data["machine"]["load_after"] = os.getloadavg()[0]
        write_results(data)
    if not ONLY or "admin" in ONLY:
        data["pages"] = measure_pages(counts)
        data["machine"]["load_after"] = os.getloadavg()[0]
        write_results(data)
    if not ONLY or "exports" in ONLY:
        data["exports"] = measure_exports()
        data["machine"]["load_after"] = os.getloadavg()[0]
        write_results(data)


if __name__ == "__main__":
    main()
