#!/usr/bin/env python
"""Cost of the dashboard's "corrected filings waiting" count (`filings.selectors.filing_resubmitted_count`) at scale.

Generate the city data set into a database of your own first, then run this against it:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_SCALE_DATABASE=<db> BENCH_SCALE_ONLY=generate \
        .venv/bin/python benchmarks/scale.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python benchmarks/resubmitted_alert.py

It adds VERSIONS (default 3,000) corrections (a FilingVersion, a "returned" event and `corrected_at`) to random
submitted filings once (OLD_VERSIONS, default 27,000, to filings handled since), then times, alternating, 3 rounds of
5: the count as first landed (an EXISTS over every correction kept) and as now (`corrected_at` + the partial index
`filing_waiting_recheck`), for every unit and for one ward, and prints both plans. Results:
benchmarks/results/resubmitted_alert.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-scale-" + "x" * 50)
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_HTTPS"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.scale_settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Exists, OuterRef, Q
    from django.utils import timezone

    from apps.appointments.models import Appointment
    from apps.filings.models import Filing, FilingEvent, FilingVersion
    from apps.filings.selectors import filing_resubmitted, filing_resubmitted_count, filing_returned_by

    versions = int(os.environ.get("VERSIONS", "3000"))
    old_versions = int(os.environ.get("OLD_VERSIONS", "27000"))
    if not FilingVersion.objects.exists():
        waiting = list(Filing.objects.filter(state="submitted").order_by("?").values_list("pk", flat=True)[:versions])
        handled = list(
            Filing.objects.exclude(state="submitted").order_by("?").values_list("pk", flat=True)[:old_versions]
        )
        FilingVersion.objects.bulk_create(
            [FilingVersion(filing_id=i, number=1, holder_name="X", answers={}) for i in waiting + handled],
            batch_size=2000,
        )
        FilingEvent.objects.bulk_create(
            [FilingEvent(filing_id=i, source="submitted", state="returned", reason="r", username="o") for i in waiting],
            batch_size=2000,
        )
    if not Filing.objects.filter(corrected_at__isnull=False).exists():
        Filing.objects.filter(pk__in=FilingVersion.objects.values("filing")).update(corrected_at=timezone.now())
    with connection.cursor() as cursor:
        for table in ("filings_filingversion", "filings_filingevent", "filings_filing"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"filings {Filing.objects.count()}, submitted {Filing.objects.filter(state='submitted').count()}, "
        f"corrections kept {FilingVersion.objects.count()}; load average {os.getloadavg()[0]:.1f}"
    )
    user = get_user_model().objects.filter(is_superuser=True).first()
    unit_id = Appointment.objects.values_list("unit_id", flat=True).first()
    before = Q(state="submitted") & Exists(FilingVersion.objects.filter(filing=OuterRef("pk")))

    def count_before(filings):
        waiting = filings.filter(before).annotate(returned_by=filing_returned_by())
        return waiting.aggregate(total=Count("pk"), mine=Count("pk", filter=Q(returned_by=user.pk)))["total"]

    def count_now(filings):
        return filing_resubmitted_count(filings=filings, user=user).total

    scopes = {"every unit": Filing.objects.all(), "one ward": Filing.objects.filter(appointment__unit__in=[unit_id])}
    times = {(scope, how): [] for scope in scopes for how in ("before", "now")}
    results = {}
    for _round in range(3):
        for how, count in (("before", count_before), ("now", count_now)):
            for scope, filings in scopes.items():
                count(filings)  # warm
                for _ in range(5):
                    start = time.perf_counter()
                    results[(scope, how)] = count(filings)
                    times[(scope, how)].append((time.perf_counter() - start) * 1000)
    for (scope, how), values in times.items():
        print(
            f"{scope}, {how}: median {statistics.median(values):.1f} ms (min {min(values):.1f}, max {max(values):.1f},"
            f" {len(values)} runs) -> {results[(scope, how)]} waiting"
        )
    print(f"load average after {os.getloadavg()[0]:.1f}")
    for how, condition in (("before", before), ("now", filing_resubmitted())):
        sql, params = Filing.objects.filter(condition).values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS waiting", params)  # noqa: S608
            print(f"--- {how}\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
