"""/metrics: refusals of every kind are counted (not only rate limits), and under gunicorn with several workers the
request and refusal counts of all workers are added up (PROMETHEUS_MULTIPROC_DIR, as deploy/systemd sets it)."""

import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.cache import cache

from tests.conftest import _free_port

TOKEN = "metrics-token-for-tests-0123456789"
ROOT = Path(settings.BASE_DIR)


def _refusals(text: str) -> dict[str, float]:
    return {m[1]: float(m[2]) for m in re.finditer(r'^portal_refusals_total\{limit="([^"]+)"\} (\S+)$', text, re.M)}


def _scrape(client) -> dict[str, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return _refusals(response.content.decode())


@pytest.fixture
def _locmem_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "metrics"}}
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("_locmem_cache")
def test_refusals_count_full_slots_hold_budgets_and_message_caps(client, demo_data, settings, mailoutbox):
    from apps.appointments.services import SlotUnavailable, appointment_book, appointment_hold
    from apps.notifications.services import RateLimited, otp_issue
    from apps.procedures.models import Procedure
    from tests.procedures.journey import first_free_slot

    settings.METRICS_TOKEN = TOKEN
    settings.APPOINTMENT_HOLD_SHARE = 1.0
    settings.APPOINTMENT_HOLDS_PER_PHONE = 1
    settings.APPOINTMENT_HOLDS_PER_CLIENT = 100
    settings.NOTIFICATIONS_DAILY_CAP = {"otp": 1}
    before = _scrape(client)
    procedure = Procedure.objects.get(slug="ho-chieu")

    # A full slot: every place booked, one more citizen asks for it.
    slot = first_free_slot(procedure)
    hold = {"unit": slot.unit, "procedure": procedure, "starts_at": slot.starts_at, "client": "203.0.113.1"}
    for i in range(slot.free):
        held = appointment_hold(**hold, phone=f"09120000{i:02d}", holder_key=f"k{i}")
        appointment_book(appointment=held, reference=f"HC{i:06d}", holder_name="Nguyễn Văn An")
    with pytest.raises(SlotUnavailable) as full:
        appointment_hold(**hold, phone="0912999999", holder_key="late")
    assert full.value.code == "full"

    # The hold budget: a phone's second live hold (another tab, another time) is given but keeps no place.
    for tab, counted in (("tab-1", True), ("tab-2", False)):
        other = first_free_slot(procedure)
        hold = {"unit": other.unit, "procedure": procedure, "starts_at": other.starts_at, "client": "203.0.113.1"}
        assert appointment_hold(**hold, phone="0913000001", holder_key=tab).hold_counted is counted

    # Message caps: a second code to one phone too soon, then the portal's daily ceiling of 1 code.
    otp = {"purpose": "declaration", "language": "vi", "client": "203.0.113.1", "session": "browser-1"}
    otp_issue(phone="0914000001", **otp)
    with pytest.raises(RateLimited):
        otp_issue(phone="0914000001", **otp)
    with pytest.raises(RateLimited):
        otp_issue(phone="0914000002", **otp)

    after = _scrape(client)
    added = {limit: after[limit] - before.get(limit, 0) for limit in after if after[limit] != before.get(limit, 0)}
    assert added == {"slot-full": 1.0, "hold-budget": 1.0, "otp-interval": 1.0, "msg-daily": 1.0}


def _worker_files_counts(directory: Path, route: str) -> dict[int, float]:
    """Per gunicorn worker (pid): how many requests to `route` it timed, read from its own file (a histogram's
    buckets are stored there per bucket, not cumulated: their sum is the count)."""
    from prometheus_client.mmap_dict import MmapedDict

    counts: dict[int, float] = {}
    for path in directory.glob("histogram_*.db"):
        pid = int(path.stem.split("_")[1])
        for key, value, *_rest in MmapedDict.read_all_values_from_file(str(path)):
            _metric, sample, labels, _help = json.loads(key)
            if sample == "portal_request_duration_seconds_bucket" and labels["route"] == route:
                counts[pid] = counts.get(pid, 0) + value
    return counts


def test_metrics_add_up_the_requests_of_two_gunicorn_workers(tmp_path):
    multiproc = tmp_path / "metrics"
    multiproc.mkdir()
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=180,
    )
    assert migrate.returncode == 0, migrate.stderr.decode()[-2000:]
    # The web unit's command line (deploy/systemd/portal-web.service): gunicorn with deploy/gunicorn.conf.py.
    node = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/metrics", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        page = f"{base}/kiem-tra-tin-nhan/"
        # Requests in parallel until both workers have answered some (the kernel hands connections to either).
        sent = 0
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                codes = list(pool.map(lambda _: requests.get(page, timeout=10).status_code, range(16)))
                assert set(codes) == {200}
                sent += len(codes)
                if len(_worker_files_counts(multiproc, "kiem-tra-tin-nhan/")) == 2:
                    break
        per_worker = _worker_files_counts(multiproc, "kiem-tra-tin-nhan/")
        assert len(per_worker) == 2, per_worker  # two workers, each with its own counts
        assert all(count > 0 for count in per_worker.values()) and sum(per_worker.values()) == sent

        # Whichever worker answers the scrape reports the total of both.
        pattern = (
            r'^portal_request_duration_seconds_count\{method="GET",route="kiem-tra-tin-nhan/",status="2xx"\} (\S+)$'
        )
        for _ in range(6):
            text = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
            assert float(re.search(pattern, text, re.M)[1]) == sent
    finally:
        node.terminate()
        node.wait(timeout=30)
