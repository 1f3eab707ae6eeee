#!/usr/bin/env python
"""Confirmation messages per second that two Celery workers deliver to the local fake ZNS server, as a ratio to
the same two workers running an empty task, measured in one run.

Real processes and services: PostgreSQL (DATABASE_URL, required: the workers share the database), Redis
(REDIS_URL, default redis://127.0.0.1:6379/2), two `celery worker -P solo` processes, and the fake Zalo
OAuth/ZNS HTTP server of the tests on 127.0.0.1 (tests/notifications/fakes.py), which answers at once. Each
measurement starts when the messages are handed to the broker (the commit of the transaction that wrote the
outbox rows, or the publishing of the empty tasks) and ends when the last one is finished: every row sent, or
the queue and its unacknowledged set empty. The empty task runs before and after the messages; their mean is
the baseline. Machines here are noisy, so the ratio is what to compare. Results:
benchmarks/results/notifications.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal make bench-notifications
    BENCH_MESSAGES=1000 ... make bench-notifications
"""

import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "400"))
WORKERS = 2
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
RESULTS = ROOT / "benchmarks" / "results" / "notifications.md"


def main() -> None:
    if not DATABASE_URL.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://…: the workers and this process share the database.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings", REDIS_URL=REDIS_URL, LOG_LEVEL="WARNING"
    )
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import transaction

    from apps.notifications.models import MessageTemplate, Notification, Status, ZaloToken
    from apps.notifications.services import notification_send
    from benchmarks.notification_tasks import noop
    from config.celery import app as celery_app
    from tests.notifications.conftest import provider_environment
    from tests.notifications.fakes import FakeZalo
    from tests.notifications.workers import WorkerProcess, worker_environment

    call_command("migrate", verbosity=0)
    MessageTemplate.objects.filter(kind="filing_confirmed").update(zns_template_id="300001")
    ZaloToken.objects.all().delete()  # a pair from an earlier run belongs to an earlier fake server
    broker = redis.Redis.from_url(REDIS_URL)
    celery_app.control.purge()
    zalo = FakeZalo().start()
    env = worker_environment(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        extra={
            **provider_environment(zalo=zalo),
            "LOG_LEVEL": "WARNING",
            "WORKER_EXTRA_TASK_MODULES": "benchmarks.notification_tasks",
        },
    )
    logs = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    workers = [WorkerProcess(env=env, log_path=logs / f"worker-{n}.log").start() for n in range(WORKERS)]

    def drained() -> bool:
        return broker.llen("celery") == 0 and broker.hlen("unacked") == 0

    def wait(done, what: str, timeout: float = 600) -> None:
        # Polled every 10 ms: often enough for the timing, rarely enough not to compete with the workers.
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                sys.exit(f"timed out waiting for {what}; worker logs in {logs}")
            time.sleep(0.01)

    def empty_tasks() -> float:
        started = time.perf_counter()
        for number in range(MESSAGES):
            noop.delay(number)
        wait(drained, "the empty tasks")
        return MESSAGES / (time.perf_counter() - started)

    def confirmations() -> float:
        before = len(zalo.deliveries)
        with transaction.atomic():
            ids = [
                notification_send(
                    kind="filing_confirmed",
                    language="vi",
                    context={"name": "Nguyễn Văn An", "code": f"BENCH-{number}", "unit": "Công an Phường 1"},
                    phone="0912345678",
                ).pk
                for number in range(MESSAGES)
            ]
            started = time.perf_counter()  # the commit hands the rows to the broker
        sent = Notification.objects.filter(pk__in=ids, status=Status.SENT)
        wait(lambda: sent.count() == MESSAGES, "the confirmations")
        elapsed = time.perf_counter() - started
        assert len(zalo.deliveries) - before == MESSAGES, "every message delivered exactly once"
        return MESSAGES / elapsed

    try:
        empty_tasks()  # warm-up: connections, imports
        baseline_before = empty_tasks()
        rate = confirmations()
        baseline_after = empty_tasks()
    finally:
        for worker in workers:
            worker.stop()
        zalo.stop()
    baseline = (baseline_before + baseline_after) / 2
    ratio = rate / baseline
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = f"""# Notification delivery throughput as a ratio to an empty task

Measured {when} by `make bench-notifications` (benchmarks/notifications.py): {WORKERS} Celery workers
(`-P solo`, acks late, prefetch 1), Redis broker, PostgreSQL, fake ZNS server on loopback answering at once;
{MESSAGES} messages per measurement; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.

| Measurement | Messages per second |
| --- | ---: |
| Empty task (before) | {baseline_before:.0f} |
| Confirmation by ZNS: claim, render, HTTP send, record | {rate:.0f} |
| Empty task (after) | {baseline_after:.0f} |

**Ratio: {ratio:.1%}** of the empty task's throughput (baseline: mean of before and after, {baseline:.0f}/s).

Each confirmation costs the worker two short transactions (claim the row under its lock and open an attempt;
record the provider's answer) around one HTTP request; the empty task costs only the broker round trip.
"""
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
