"""Two nodes against one PostgreSQL, one Redis and one S3-compatible bucket: a photo stored by one node is served
by the other, to an officer signed in on either."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from apps.backoffice.roles import REPORT_HANDLER
from apps.reports.models import ReportPhoto
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY, _free_port
from tests.reports.factories import OfficerFactory, WardUnitFactory

ROOT = Path(settings.BASE_DIR)

STORE_ON_NODE_A = """
from apps.reports.services import report_submit
from apps.units.models import PoliceUnit
from tests.news.factories import image_upload
report = report_submit(category="crime", description="Có trộm.", unit=PoliceUnit.objects.get(pk={unit}),
                       is_anonymous=True, photos=[image_upload()])
print(report.pk)
"""


def _node_env(s3_storage) -> dict:
    db = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "S3_BUCKET": s3_storage.bucket,
        "S3_ENDPOINT_URL": s3_storage.meta.endpoint_url,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


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
