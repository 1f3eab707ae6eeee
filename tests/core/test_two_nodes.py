"""Two nodes against one PostgreSQL, one Redis and one S3-compatible bucket: a photo stored by one node is served
by the other, to an officer signed in on either; a booking made on one node is seen at once by the other."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.appointments.services import appointment_book, appointment_hold
from apps.backoffice.roles import REPORT_HANDLER
from apps.procedures.models import Procedure
from apps.reports.models import ReportPhoto
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY, _free_port
from tests.procedures.journey import first_free_slot, sample_data
from tests.reports.factories import OfficerFactory, WardUnitFactory

ROOT = Path(settings.BASE_DIR)

STORE_ON_NODE_A = """
from apps.reports.services import report_submit
from tests.news.factories import image_upload
report = report_submit(category="crime", description="Có trộm.", unit=PoliceUnit.objects.get(pk={unit}),
                       is_anonymous=True, photos=[image_upload()])
print(report.pk)
"""


def _node_env(s3_storage=None) -> dict:
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    if s3_storage is None:
        return env
    return {
        **env,
        "S3_BUCKET": s3_storage.bucket,
        "S3_ENDPOINT_URL": s3_storage.meta.endpoint_url,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _start_node(env: dict) -> tuple[subprocess.Popen, str]:
    """A gunicorn web node on a free loopback port; returns it with its base URL once /healthz answers."""
    port = _free_port()
    node = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            requests.get(f"{base}/healthz", timeout=5)
            return node, base
        except requests.RequestException:
            time.sleep(0.2)
    node.terminate()
    raise AssertionError(node.stderr.read().decode()[-2000:])


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_booking_made_on_one_node_is_seen_at_once_on_the_other(client, demo_data, settings):
    settings.APPOINTMENT_HOLD_SHARE = 1.0  # this test fills a time with several bookings of its own
    settings.APPOINTMENT_HOLDS_PER_PHONE = settings.APPOINTMENT_HOLDS_PER_CLIENT = 100
    procedure = Procedure.objects.get(slug="ho-chieu")
    # A citizen's draft, in the shared database: its signed draft cookie (apps/filings/drafts.py, not the session)
    # is valid on every node, which share the secret key.
    assert client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu")).status_code == 302
    cookies = {"draft_ho-chieu": client.cookies["draft_ho-chieu"].value}
    slot = first_free_slot(procedure)
    unit = slot.unit
    day = timezone.localtime(slot.starts_at).date()
    free, full = f'value="{slot.value}">', f'value="{slot.value}" disabled>'  # a radio to choose; a full time
    nodes = [_start_node(_node_env()) for _ in range(2)]
    try:
        page = f"/thu-tuc/ho-chieu/dat-lich/?unit={unit.slug}&day={day:%Y-%m-%d}"
        for _node, base in nodes:  # both nodes show the time free, and have the day's availability cached
            for _ in range(2):
                html = requests.get(base + page, cookies=cookies, timeout=20).text
                assert free in html and full not in html, html[-3000:]
        # Node A (this test process is one more node on the same database and Redis) fills the time.
        for i in range(slot.free):
            held = appointment_hold(
                unit=unit, procedure=procedure, starts_at=slot.starts_at, phone=f"09120000{i:02d}", holder_key=f"k{i}"
            )
            appointment_book(appointment=held, reference=f"HC{i:06d}", holder_name="Nguyễn Văn An")
        # Node B, at once: the time is no longer offered (no stale availability from its cache).
        for _node, base in nodes:
            html = requests.get(base + page, cookies=cookies, timeout=20).text
            assert unit.name in html and f"{day:%d/%m/%Y}" in html, html[-3000:]  # the same step, the same day
            assert full in html and free not in html
    finally:
        for node, _base in nodes:
            node.terminate()
            node.wait(timeout=20)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_photo_stored_by_one_node_is_served_by_the_other(client, s3_storage):
    ward = WardUnitFactory()
    officer = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    client.force_login(officer)  # a session in the shared database, valid on every node
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    env = _node_env(s3_storage)

    # Node A stores a report with a photo (its own process, through the storage API, into the bucket).
    stored = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", STORE_ON_NODE_A.replace("{unit}", str(ward.pk))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    report_id = int(stored.stdout.strip().splitlines()[-1])
    photo = ReportPhoto.objects.get(report_id=report_id)
    url_path = f"/admin/reports/report/{report_id}/photo/{photo.pk}/"

    # Node B: another process (gunicorn), same database, Redis and bucket, no local copy of the file.
    port = _free_port()
    node_b = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env={**env, "REPORTS_PHOTO_ROOT": "/nonexistent/node-b"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        served = requests.get(base + url_path, cookies=cookies, timeout=10, allow_redirects=False)
        anonymous = requests.get(base + url_path, timeout=10, allow_redirects=False)
    finally:
        node_b.terminate()
        node_b.wait(timeout=20)
    assert served.status_code == 200, node_b.stderr.read().decode()[-2000:]
    assert served.headers["Content-Type"] == "image/jpeg"
    key = f"private/{photo.image.name}"
    assert served.content == s3_storage.get_object(Bucket=s3_storage.bucket, Key=key)["Body"].read()
    assert anonymous.status_code == 302  # to the sign-in page
