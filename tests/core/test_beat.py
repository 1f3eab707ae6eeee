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
