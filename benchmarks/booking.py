#!/usr/bin/env python
"""Booking throughput under contention on PostgreSQL, as a ratio to uncontended booking, measured in one run, and
(with BENCH_BASELINE) side by side with an older commit's code.

A "booking" is what a citizen's journey does: `appointment_hold` then `appointment_book` (two transactions, each
taking the slot row lock). BENCH_WORKERS workers (default 8), each with its own database connection, make
BENCH_BOOKINGS bookings per scenario:

* uncontended: each worker books into its own slot, so no two transactions wait for the same row lock;
* contended: every worker books into the same slot (with places for all), so every booking queues on one row lock;
* sold out: BENCH_BOOKINGS attempts race for a slot of 10 places; 10 succeed, the others are refused (the refusal
  path; the nearest alternatives are searched only when a caller reads them, which this one does not).

Workers are processes (BENCH_MODE=processes, the default), as production's gunicorn workers are: each has its own
Python interpreter, so they do not queue for one interpreter lock as threads of one process do, and they share
the Redis cache of REDIS_URL (required; give the benchmark a Redis database of its own). BENCH_MODE=threads runs
threads of one process with a cache in memory, as the benchmark did before.

Each round runs the three scenarios in a fresh child process on a freshly created and migrated database
(BENCH_DATABASE, default `bench_booking`, on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432; dropped at the end). BENCH_ROUNDS rounds (default 3); the median is reported.
With BENCH_BASELINE=<commit> (the Makefile passes 55d9315, the code before issue 15), each round also runs that
commit's code (a temporary `git worktree`) with the same harness right before or after (alternating which goes
first), and the results give both rates and their ratio per round: on a shared machine only figures taken side
by side in the same minutes compare. BENCH_CODE=<checkout> measures another checkout's code;
BENCH_SYNCHRONOUS_COMMIT=off sets that on the benchmark's database (what waiting for the WAL flush at each COMMIT
costs; not a production setting). Results: benchmarks/results/booking.md.

    make bench-booking
    BENCH_BASELINE= BENCH_WORKERS=16 BENCH_BOOKINGS=800 make bench-booking
"""

import json
import multiprocessing
import os
import platform
import queue
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("BENCH_CODE") or ROOT).resolve()
sys.path.insert(0, str(CODE))

WORKERS = int(os.environ.get("BENCH_WORKERS") or os.environ.get("BENCH_THREADS") or "8")
MODE = os.environ.get("BENCH_MODE", "processes")
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "400"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BASELINE = os.environ.get("BENCH_BASELINE", "")
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_DATABASE", "bench_booking")
RESULTS = ROOT / "benchmarks" / "results" / "booking.md"
NOTES_MARK = "<!-- notes: kept when the script rewrites the figures above -->"
SCENARIOS = ("uncontended", "contended", "sold out")


def database_url(name: str) -> str:
    parts = urlsplit(SERVER_URL)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("benchmarks/booking.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
        if os.environ.get("BENCH_SYNCHRONOUS_COMMIT"):  # e.g. off: what the WAL flush at each COMMIT costs
            setting = os.environ["BENCH_SYNCHRONOUS_COMMIT"]
            conn.execute(f'ALTER DATABASE "{DATABASE}" SET synchronous_commit = {setting}')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url(DATABASE)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_HTTPS"] = "false"
    if MODE == "processes" and not os.environ.get("REDIS_URL"):
        # Worker processes share the cache as production's do: without it, each keeps its own copy of the calendar
        # (the sold-out scenario's capacity change would not reach them for seconds).
        raise SystemExit(
            "BENCH_MODE=processes needs REDIS_URL=redis://… (a database of its own; BENCH_MODE=threads does not)"
        )
    if MODE != "processes":
        os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_unit():
    from django.utils import timezone

    from apps.appointments.models import BookingSchedule
    from apps.appointments.selectors import slot_list_available
    from apps.procedures.models import Procedure
    from apps.units.models import OpeningHours, PoliceUnit, UnitKind

    unit = PoliceUnit.objects.create(
        kind=UnitKind.DISTRICT, name="Công an Quận 4", slug="bench", address="14 Đoàn Như Hài", is_active=True
    )
    for weekday in range(7):  # every day, so the benchmark runs on any date
        OpeningHours.objects.create(unit=unit, weekday=weekday, opens="07:30", closes="11:30")
        OpeningHours.objects.create(unit=unit, weekday=weekday, opens="13:30", closes="17:00")
    schedule = BookingSchedule.objects.create(unit=unit, capacity=10, lead_time_hours=0, horizon_days=60)
    procedure = Procedure.objects.create(slug="cap-cccd", name="Cấp thẻ căn cước")
    procedure.units.add(unit)
    today = timezone.localdate()
    start, end = today + timedelta(days=1), today + timedelta(days=30)
    days = slot_list_available(unit=unit, procedure=procedure, start=start, end=end)
    starts = [s.starts_at for d in days for s in d.free_slots]
    return unit, schedule, procedure, starts


def run_scenarios(*, unit, procedure, schedule, plan: list[tuple[str, object, int, int]]) -> dict[str, dict]:
    """For each (name, slot_for_worker, attempts, capacity) of `plan`: `attempts` hold+book pairs over WORKERS
    workers; returns bookings, refusals, seconds and latencies per name.

    The workers are started once and run every scenario in turn (as long-lived server workers do), each waiting
    at a barrier while this process resets the appointments between scenarios."""
    from django.core.exceptions import ValidationError
    from django.db import connections

    from apps.appointments.services import SlotUnavailable, appointment_book, appointment_hold

    context = multiprocessing.get_context("fork")
    processes = MODE == "processes"
    barrier = context.Barrier(WORKERS + 1) if processes else threading.Barrier(WORKERS + 1)
    results = context.SimpleQueue() if processes else queue.SimpleQueue()

    def work(index: int):
        try:
            for number, (_name, slot_for_worker, attempts, _capacity) in enumerate(plan):
                outcome = {"booked": 0, "refused": 0, "errors": 0, "latencies": []}
                starts_at = slot_for_worker(index)
                backend = backend_pid()
                barrier.wait()
                cpu_began, backend_began = thread_cpu(), process_cpu(backend)
                # Each worker takes every WORKERS-th attempt: no lock shared between workers (a shared counter's
                # lock, held by a worker the scheduler preempts, stalls all the others on a busy machine).
                for attempt in range(index, attempts, WORKERS):
                    n = number * 1_000_000 + attempt + 1  # a phone number of its own
                    began = time.perf_counter()
                    try:
                        hold = appointment_hold(
                            unit=unit,
                            procedure=procedure,
                            starts_at=starts_at,
                            phone=f"+8491{n:07d}",
                            holder_key=f"b{n}",
                        )
                        appointment_book(appointment=hold, reference=f"B{n}", holder_name="Nguyễn Văn An")
                        key = "booked"
                    except SlotUnavailable:
                        key = "refused"
                    except ValidationError:
                        key = "errors"
                    outcome["latencies"].append(time.perf_counter() - began)
                    outcome[key] += 1
                outcome["client_cpu"] = thread_cpu() - cpu_began
                outcome["database_cpu"] = process_cpu(backend) - backend_began
                results.put(outcome)
        finally:
            connections.close_all()

    connections.close_all()  # a forked worker must not share this process's connection
    # Daemons: when this process fails (a reset between scenarios), the workers waiting at the barrier end with it.
    if processes:
        workers = [context.Process(target=work, args=(i,), daemon=True) for i in range(WORKERS)]
    else:
        workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(WORKERS)]
    for worker in workers:
        worker.start()
    measured: dict[str, dict] = {}
    for name, _slot_for_worker, attempts, capacity in plan:
        reset(schedule, capacity)
        connections.close_all()
        barrier.wait()
        began, cache_began = time.perf_counter(), cache_cpu()
        collected = [results.get() for _worker in workers]
        seconds = time.perf_counter() - began
        cache_used = cache_cpu() - cache_began
        latencies = sorted(x for outcome in collected for x in outcome["latencies"])
        measured[name] = {
            **{key: sum(outcome[key] for outcome in collected) for key in ("booked", "refused", "errors")},
            "seconds": seconds,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p95": latencies[int(len(latencies) * 0.95)] * 1000,
            # CPU time per attempt, in ms: the workers' own, their PostgreSQL backends', the Redis server's.
            "client_cpu": sum(outcome["client_cpu"] for outcome in collected) * 1000 / attempts,
            "database_cpu": sum(outcome["database_cpu"] for outcome in collected) * 1000 / attempts,
            "cache_cpu": cache_used * 1000 / attempts,
        }
    for worker in workers:
        worker.join()
    return measured


def thread_cpu() -> float:
    """CPU seconds used by the calling thread (a worker process has one)."""
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu(pid: int) -> float:
    """CPU seconds used by process `pid` (a PostgreSQL backend on this machine), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cache_cpu() -> float:
    """CPU seconds the Redis server has used (its INFO), or 0 without Redis."""
    if not os.environ.get("REDIS_URL"):
        return 0.0
    import redis

    info = redis.Redis.from_url(os.environ["REDIS_URL"]).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def pgbench_rate(*, unit, procedure, schedule, first: datetime) -> float | None:
    """The database's own rate for the same statements: benchmarks/booking_pgbench.sql (one hold and its booking,
    as services.py sends them) run by pgbench with WORKERS clients, each into its own slot, for
    BENCH_PGBENCH_SECONDS (default 5; 0 = skip) on this round's database. Only for this checkout's code (the
    script follows its statements); None when skipped or pgbench is missing."""
    seconds = int(os.environ.get("BENCH_PGBENCH_SECONDS", "5"))
    if seconds <= 0 or CODE != ROOT or not shutil.which("pgbench"):
        return None
    reset(schedule, 10)
    url = urlsplit(database_url(DATABASE))
    command = ["pgbench", "-n", "-M", "prepared", "-f", str(ROOT / "benchmarks" / "booking_pgbench.sql")]
    command += [f"-c{WORKERS}", f"-j{min(WORKERS, os.cpu_count() or 1)}", f"-T{seconds}"]
    command += ["-D", f"unit={unit.pk}", "-D", f"procedure={procedure.pk}", "-D", f"first={first.isoformat()}"]
    command += ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    done = subprocess.run([*command, DATABASE], env=env, capture_output=True, text=True, check=True)
    if "failed transactions: 0 " not in done.stdout:
        raise SystemExit(f"pgbench: {done.stdout}{done.stderr}")
    return float(done.stdout.split("tps = ", 1)[1].split()[0])


def reset(schedule, capacity: int) -> None:
    from apps.appointments.models import Appointment

    Appointment.objects.all().delete()
    schedule.capacity = capacity
    schedule.save()


def measure_round() -> dict:
    """One round of the three scenarios on the code of BENCH_CODE, on a fresh database (run in a child process)."""
    recreate_database()
    try:
        setup_django()
        from django.db import connection

        unit, schedule, procedure, starts = make_unit()
        if len(starts) < WORKERS + 2:
            raise SystemExit("not enough slots")
        # Warm up first (connections, caches, the slots' rows), then the three scenarios.
        plan = [
            ("warm-up", lambda i: starts[i], WORKERS * 4, BOOKINGS),
            ("uncontended", lambda i: starts[i], BOOKINGS, BOOKINGS),
            ("contended", lambda i: starts[WORKERS], BOOKINGS, BOOKINGS),
            ("sold out", lambda i: starts[WORKERS + 1], BOOKINGS, 10),
        ]
        measured = run_scenarios(unit=unit, procedure=procedure, schedule=schedule, plan=plan)
        database_rate = pgbench_rate(unit=unit, procedure=procedure, schedule=schedule, first=starts[0])
        results: dict[str, dict] = {}
        for name in SCENARIOS:
            result = measured[name]
            expected_booked = 10 if name == "sold out" else BOOKINGS
            if result["booked"] != expected_booked or result["errors"]:
                raise SystemExit(f"{name}: {result} (expected {expected_booked} bookings, no errors)")
            results[name] = result | {"rate": BOOKINGS / result["seconds"]}
            print(
                f"{CODE.name:>12} {name:12} {results[name]['rate']:8.1f} attempts/s  booked {result['booked']:4}  "
                f"refused {result['refused']:4}  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
                f"CPU/attempt client {result['client_cpu']:.2f} database {result['database_cpu']:.2f} "
                f"cache {result['cache_cpu']:.2f} ms",
                file=sys.stderr,
            )
        if database_rate is not None:
            results["pgbench"] = database_rate
            print(f"{CODE.name:>12} pgbench      {database_rate:8.1f} pairs/s", file=sys.stderr)
        print(f"{CODE.name:>12} load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results["pg_version"] = cursor.fetchone()[0]
        connection.close()
    finally:
        drop_database()
    return results


def run_round(code: Path) -> dict:
    env = os.environ | {"BENCH_CODE": str(code), "BENCH_CHILD": "1"}
    done = subprocess.run([sys.executable, __file__], env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    if os.environ.get("BENCH_CHILD"):
        print(json.dumps(measure_round()))
        return
    started = datetime.now(UTC)
    new: list[dict] = []
    old: list[dict] = []
    baseline_dir = Path(tempfile.mkdtemp(prefix="bench-booking-")) / "baseline" if BASELINE else None
    loads = [os.getloadavg()[0]]
    try:
        if baseline_dir is not None:
            git = ["git", "-C", str(ROOT)]
            subprocess.run([*git, "worktree", "add", "--detach", str(baseline_dir), BASELINE], check=True)
        for number in range(ROUNDS):
            if baseline_dir is not None and number % 2 == 0:
                old.append(run_round(baseline_dir))
            new.append(run_round(CODE))
            if baseline_dir is not None and number % 2 == 1:
                old.append(run_round(baseline_dir))
            loads.append(os.getloadavg()[0])
    finally:
        if baseline_dir is not None:
            subprocess.run([*git, "worktree", "remove", "--force", str(baseline_dir)], check=False)
    write_results(new, old, started=started, loads=loads)


def write_results(new: list[dict], old: list[dict], *, started: datetime, loads: list[float]) -> None:
    def spread(values) -> str:
        values = list(values)
        return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"

    def ratio_spread(values) -> str:
        values = list(values)
        return f"{statistics.median(values):.1f}× ({min(values):.1f}–{max(values):.1f})"

    def total_cpu(result: dict) -> float:
        return result["client_cpu"] + result["database_cpu"] + result["cache_cpu"]

    def cpu(results: list[dict], name: str) -> str:
        part = {key: statistics.median(r[name][key] for r in results) for key in ("client_cpu", "database_cpu")}
        part["cache_cpu"] = statistics.median(r[name]["cache_cpu"] for r in results)
        return (
            f"{statistics.median(total_cpu(r[name]) for r in results):.1f} ms ({part['client_cpu']:.1f} + "
            f"{part['database_cpu']:.1f} + {part['cache_cpu']:.1f})"
        )

    rows = [
        ("uncontended", "each worker books into its own slot", "bookings"),
        ("contended", "every worker books into the same slot", "bookings"),
        ("sold out", "all race for 10 places; the rest are refused (alternatives searched only if read)", "attempts"),
    ]
    how = (
        f"{WORKERS} worker {MODE} each with its own connection, {BOOKINGS} attempts per scenario (a booking = "
        f"`appointment_hold` + `appointment_book`), {len(new)} rounds, each on a fresh database"
    )
    lines = [
        "# Booking throughput under contention (PostgreSQL)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M}–{datetime.now(UTC):%H:%M} UTC by `make bench-booking` "
        f"(benchmarks/booking.py): PostgreSQL {new[0]['pg_version']}, {how}; {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (load average {min(loads):.1f}–{max(loads):.1f} between "
        f"rounds), Python {platform.python_version()}. Figures: median of the rounds (lowest–highest).",
        "",
        "| Scenario | What | Rate (per s) | Ratio to uncontended | p50 latency | p95 latency | CPU per attempt "
        "(workers + PostgreSQL + Redis) | CPU ceiling (per s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, what, unit in rows:
        # The load of a shared machine drifts between rounds: each round's ratio compares scenarios run back to
        # back (same number of attempts: the ratio of rates is the inverse ratio of durations).
        ratio = statistics.median(r["uncontended"]["seconds"] / r[name]["seconds"] for r in new)
        lines.append(
            f"| {name} | {what} | {spread(r[name]['rate'] for r in new)} {unit} | {ratio:.0%} | "
            f"{statistics.median(r[name]['p50'] for r in new):.1f} ms | "
            f"{statistics.median(r[name]['p95'] for r in new):.1f} ms | {cpu(new, name)} | "
            f"{spread(os.cpu_count() * 1000 / total_cpu(r[name]) for r in new)} |"
        )
    database_rates = [r["pgbench"] for r in new if "pgbench" in r]
    if database_rates:
        share = statistics.median(r["uncontended"]["rate"] / r["pgbench"] for r in new if "pgbench" in r)
        lines += [
            "",
            f"**The database's own rate for the same statements** (benchmarks/booking_pgbench.sql: one hold and its "
            f"booking as services.py sends them, prepared, run by pgbench with {WORKERS} clients each into its own "
            f"slot, right after each round's scenarios on the same database): {spread(database_rates)} pairs per s. "
            f"Uncontended booking through the code reaches {share:.0%} of it (median of the rounds): pgbench's clients "
            "cost next to nothing, the code's Python workers share the same two cores with PostgreSQL.",
        ]
    lines += [
        "",
        "Every round checks the outcome: all attempts booked in the first two scenarios, exactly 10 in the third, "
        "and no error (no lock timeout, no deadlock).",
        "",
        "CPU per attempt: the CPU time the workers (per thread, `getrusage`), their PostgreSQL backends (`/proc`) and "
        "the Redis server (`INFO cpu`, which includes anything else using it) spent during the scenario, divided by "
        "its attempts; unlike the rate it hardly moves with the machine's load. The CPU ceiling is the cores ÷ that: "
        "the rate this machine's cores would give if the booking had them to itself and never waited.",
        "",
    ]
    if old:
        lines += [
            f"## Side by side with {BASELINE} (the code before issue 15)",
            "",
            f"The same harness on commit {BASELINE}'s code (a temporary worktree), one round of it right before or "
            "after each round above (alternating which goes first); the ratio is taken per round, new ÷ old.",
            "",
            "| Scenario | Old (per s) | New (per s) | New ÷ old | CPU per attempt, old | CPU per attempt, new |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, _what, _unit in rows:
            lines.append(
                f"| {name} | {spread(r[name]['rate'] for r in old)} | {spread(r[name]['rate'] for r in new)} | "
                f"{ratio_spread(n[name]['rate'] / o[name]['rate'] for n, o in zip(new, old, strict=True))} | "
                f"{cpu(old, name)} | {cpu(new, name)} |"
            )
        lines.append("")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    notes = ""
    if RESULTS.exists() and NOTES_MARK in RESULTS.read_text():
        notes = RESULTS.read_text().split(NOTES_MARK, 1)[1]
    RESULTS.write_text("\n".join(lines) + "\n" + NOTES_MARK + notes, encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
