"""After a short Redis outage on one node, nothing cached stays stale: keys whose writes were skipped are deleted
as soon as Redis answers again (apps.core.cache.FailSoftRedisCache)."""

import time

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.core import cache as fail_soft


def _node(prefix: str):
    """A cache backend like each web node's, on the real Redis of the test run."""
    return fail_soft.FailSoftRedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix, "TIMEOUT": 600})


@pytest.fixture
def nodes(monkeypatch):
    monkeypatch.setattr(fail_soft, "_lost_writes", set())
    monkeypatch.setattr(fail_soft, "_next_recover_at", 0.0)
    a, b = _node("recovery-test"), _node("recovery-test")
    yield a, b
    a.clear()


def _cut(node, monkeypatch):
    """Node's own link to Redis fails (its client raises), while the other node still reaches Redis."""

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Connection refused (test)")

    monkeypatch.setattr(node._cache, "get_client", refuse)


@pytest.mark.redis
def test_a_version_bump_lost_in_an_outage_is_not_left_stale(nodes, monkeypatch):
    a, b = nodes
    b.set("appointments:availability:version", "v1", None)
    b.set("snapshot:v1", "10 places")

    with monkeypatch.context() as outage:
        _cut(a, outage)
        a.set("appointments:availability:version", "v2", None)  # a booking on node A during the outage
        assert a.get("appointments:availability:version") is None  # a miss, not an error
        assert b.get("appointments:availability:version") == "v1"  # node B cannot know yet

    # Redis answers node A again: within a second, its next cache call (any key) deletes what it failed to write.
    time.sleep(fail_soft._RECOVER_EVERY_SECONDS)
    assert a.get("unrelated") is None
    assert b.get("appointments:availability:version") is None  # so every node computes a new version
    assert fail_soft._lost_writes == set()


@pytest.mark.redis
def test_lost_counters_and_deletes_are_cleaned_up_too(nodes, monkeypatch):
    a, b = nodes
    b.set("rl:check:abc", 3)
    b.set("news:page", "old page")
    with monkeypatch.context() as outage:
        _cut(a, outage)
        with pytest.raises(ValueError, match="cache unavailable"):
            a.incr("rl:check:abc")
        assert a.delete("news:page") is False
        assert a.add("lock", 1) is True  # fails open
    assert b.get("news:page") == "old page"
    time.sleep(fail_soft._RECOVER_EVERY_SECONDS)
    a.set("something", 1)
    assert b.get("rl:check:abc") is None
    assert b.get("news:page") is None


def test_while_redis_stays_down_cleanup_is_tried_at_most_once_a_second(monkeypatch):
    monkeypatch.setattr(fail_soft, "_lost_writes", set())
    monkeypatch.setattr(fail_soft, "_next_recover_at", 0.0)
    down = fail_soft.FailSoftRedisCache("redis://127.0.0.1:9/0", {})
    tries = []
    real = fail_soft.RedisCache.delete_many

    def counting(self, keys, version=None):
        tries.append(keys)
        return real(self, keys, version=version)

    monkeypatch.setattr(fail_soft.RedisCache, "delete_many", counting)
    down.set("k", 1)
    for _ in range(5):
        down.get("k")
    assert len(tries) == 1
    assert fail_soft._lost_writes == {("k", None)}
