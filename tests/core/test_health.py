"""/healthz (liveness) and /readyz (readiness): answered before the HTTPS redirect and the host check."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.utils import OperationalError
from django.utils import timezone

from apps.core import health
from tests.notifications.factories import NotificationFactory

DOWN_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.fixture
def production_like(settings):
    """HTTPS redirect on and one allowed host, as in production."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["cong.example.vn"]


def test_healthz_answers_any_host_without_redirect_or_database(client, production_like, monkeypatch):
    def no_database(*args, **kwargs):
        raise AssertionError("liveness must not touch the database")

    monkeypatch.setattr(connection, "cursor", no_database)
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_other_pages_still_redirect_and_check_the_host(client, production_like):
    assert client.get("/", HTTP_HOST="cong.example.vn").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


@pytest.mark.django_db
def test_readyz_ok_on_the_embedded_default(client, production_like, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "worker": {"status": "not configured", "last_seen_seconds": None},
        "outbox": {"unsent": 0, "oldest_unsent_seconds": None},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"
    assert "outbox" not in response.json()


@pytest.mark.django_db
def test_readyz_is_degraded_not_down_when_redis_is_down(client, settings):
    settings.REDIS_URL = DOWN_REDIS
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"] == "error"


@pytest.mark.django_db
def test_readyz_shows_the_oldest_unsent_message(client, settings):
    settings.REDIS_URL = ""
    with time_machine.travel(timezone.now() - timedelta(minutes=20)):
        NotificationFactory(status="queued")
    with time_machine.travel(timezone.now() - timedelta(minutes=3)):
        NotificationFactory(status="sending")
    NotificationFactory(status="sent")
    body = client.get("/readyz").json()
    assert body["outbox"]["unsent"] == 2
    assert 1195 <= body["outbox"]["oldest_unsent_seconds"] <= 1210
    assert body["status"] == "degraded"  # older than HEALTH_OUTBOX_STALE_SECONDS (15 min)


@pytest.mark.django_db
def test_readyz_worker_heartbeat(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://configured.but.unused/0"
    monkeypatch.setattr(health, "check_redis", lambda: "ok")
    monkeypatch.setattr(health, "_last_written", 0.0)

    body = client.get("/readyz").json()
    assert body["worker"] == {"status": "unknown", "last_seen_seconds": None}
    assert body["status"] == "degraded"

    health.worker_heartbeat_record(now=1_000_000.0)
    monkeypatch.setattr(health.time, "time", lambda: 1_000_030.0)
    body = client.get("/readyz").json()
    assert body["worker"] == {"status": "ok", "last_seen_seconds": 30}
    assert body["status"] == "ok"

    monkeypatch.setattr(health.time, "time", lambda: 1_000_000.0 + 121)
    body = client.get("/readyz").json()
    assert body["worker"] == {"status": "stale", "last_seen_seconds": 121}
    assert body["status"] == "degraded"


def test_heartbeat_is_written_at_most_every_ten_seconds(monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(health, "_last_written", 0.0)
    health.worker_heartbeat_record(now=500.0)
    health.worker_heartbeat_record(now=505.0)
    assert cache.get(health.WORKER_HEARTBEAT_KEY)["at"] == 500.0
    health.worker_heartbeat_record(now=511.0)
    assert cache.get(health.WORKER_HEARTBEAT_KEY)["at"] == 511.0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reports_its_heartbeat(client):
    """A Celery worker process on the real Redis fires the heartbeat signal that /readyz reads."""
    import os
    import subprocess
    import sys
    import time

    from django.conf import settings as django_settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": django_settings.REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-mingle", "--without-gossip", "-Q", "heartbeat-test-queue"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if health.worker_heartbeat_age() is not None:
                break
            time.sleep(0.5)
        body = client.get("/readyz").json()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert body["worker"]["status"] == "ok", worker.stderr.read().decode()[-2000:]
    assert body["worker"]["last_seen_seconds"] <= 5


def test_check_deploy_warns_without_redis(settings):
    from django.core.checks import run_checks

    settings.REDIS_URL = ""
    assert "portal.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    assert "portal.W001" not in {m.id for m in run_checks(include_deployment_checks=False)}
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert "portal.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
