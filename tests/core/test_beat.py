"""Two beats started against one Redis: only the lock holder schedules; the other takes over when it stops."""

import pytest
from celery.beat import PersistentScheduler

from apps.core import beat
from config.celery import app


@pytest.fixture
def scheduled(monkeypatch):
    """Which beat instance ran the real scheduling step (PersistentScheduler.tick) how often."""
    calls = []
    real_tick = PersistentScheduler.tick

    def counting_tick(self, *args, **kwargs):
        calls.append(self)
        return real_tick(self, *args, **kwargs)

    monkeypatch.setattr(PersistentScheduler, "tick", counting_tick)
    return calls


def _beat(tmp_path, name):
    return beat.SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)


@pytest.mark.redis
def test_a_second_beat_schedules_nothing_until_the_first_stops(tmp_path, scheduled):
    first = _beat(tmp_path, "first")
    second = _beat(tmp_path, "second")
    try:
        assert first.tick() <= beat.TICK_SECONDS
        for _ in range(3):
            assert second.tick() == beat.TICK_SECONDS
            first.tick()
        assert scheduled == [first] * 4  # the second beat never scheduled anything
        assert 0 < first._redis.pttl(beat.LOCK_KEY) <= beat.LOCK_SECONDS * 1000

        first.close()  # the first beat stops (or its lock expires): the second takes over at its next tick
        second.tick()
        assert scheduled[-1] is second
    finally:
        first.close()
        second.close()
    assert first._redis.exists(beat.LOCK_KEY) == 0


@pytest.mark.redis
def test_a_beat_that_lost_its_lock_stops_scheduling(tmp_path, scheduled):
    first = _beat(tmp_path, "first")
    second = _beat(tmp_path, "second")
    try:
        first.tick()
        first._redis.delete(beat.LOCK_KEY)  # e.g. expired while the first beat's host was frozen
        second.tick()
        assert first.tick() == beat.TICK_SECONDS
        assert scheduled == [first, second]
    finally:
        first.close()
        second.close()


def test_beat_uses_the_single_beat_scheduler_with_redis():
    import subprocess
    import sys

    code = "from django.conf import settings; print(getattr(settings, 'CELERY_BEAT_SCHEDULER', '-'))"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": "redis://127.0.0.1:6379/7", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "apps.core.beat:SingleBeatScheduler", out.stderr


@pytest.mark.redis
def test_two_celery_beat_processes_only_one_schedules(tmp_path):
    """Two real `celery beat` processes (two nodes) against one Redis: one takes the lock, the other stands by."""
    import os
    import subprocess
    import sys
    import time

    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(beat.LOCK_KEY)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": settings.REDIS_URL,
    }
    beats = []
    for name in ("a", "b"):
        log = (tmp_path / f"beat-{name}.log").open("w+")
        command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
        command += ["--schedule", str(tmp_path / f"schedule-{name}"), "--pidfile", ""]
        beats.append((subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log), log))
        time.sleep(0.5)
    try:
        logs = ["", ""]
        for _ in range(150):
            logs = [(tmp_path / f"beat-{name}.log").read_text() for name in ("a", "b")]
            if all("beat: this beat schedules" in log or "standing by" in log for log in logs):
                break
            time.sleep(0.2)
        taken = ["beat: this beat schedules the periodic tasks" in log for log in logs]
        standing_by = ["another beat schedules the periodic tasks; standing by" in log for log in logs]
        assert sorted(taken) == [False, True] and sorted(standing_by) == [False, True], logs
        assert taken != standing_by
        assert client.exists(beat.LOCK_KEY) == 1
    finally:
        for process, log in beats:
            process.terminate()
            process.wait(timeout=20)
            log.close()
    time.sleep(0.2)
    assert client.exists(beat.LOCK_KEY) == 0  # the holder released its lock on stopping
