"""One rate-limit mechanism for the whole portal: counts per client, and fails open when the cache is down."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from apps.core.ratelimit import client_address, client_fingerprint, rate_limit_hit, rate_limit_once


def test_counts_hits_in_a_window():
    assert [rate_limit_hit(key="t:a", limit=3, window=60) for _ in range(5)] == [True, True, True, False, False]
    assert rate_limit_hit(key="t:b", limit=3, window=60)


def test_once_per_interval():
    assert rate_limit_once(key="t:once", seconds=60)
    assert not rate_limit_once(key="t:once", seconds=60)


def test_the_client_address_is_never_used_as_is():
    assert "203.0.113.9" not in client_fingerprint("203.0.113.9")
    assert client_fingerprint("203.0.113.9") != client_fingerprint("203.0.113.10")


def test_behind_the_proxy_the_client_is_the_last_forwarded_address(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_address(request) == "10.0.0.2"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_address(request) == "198.51.100.7"


@pytest.fixture
def cache_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    for name in ("add", "incr", "set"):
        monkeypatch.setattr(cache, name, refuse)


def test_limits_fail_open_when_the_cache_is_down(cache_down):
    assert rate_limit_hit(key="t:down", limit=1, window=60)
    assert rate_limit_once(key="t:down", seconds=60)


@pytest.fixture
def redis_down(settings):
    """The production cache backend pointed at a port where no Redis listens (loopback, connection refused)."""
    # Django rebuilds its cache handlers whenever CACHES changes (and again when the fixture restores it).
    settings.CACHES = {
        "default": {"BACKEND": "apps.core.cache.FailSoftRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/lien-he/", "/tin-tuc/", "/thu-tuc/", "/thu-tuc/cap-cccd/lich-hen/"])
def test_pages_render_when_redis_is_down(client, demo_data, redis_down, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tra-cuu/", "/phan-anh/tra-cuu/"])
def test_lookups_answer_normally_when_redis_is_down(client, redis_down, path):
    # Each lookup counts tries per client before looking anything up: an outage must not become an error page.
    response = client.post(path, {"code": "K7MX3PQ9R", "phone": "0912345678"})
    assert response.status_code < 500
    assert "csrfmiddlewaretoken" in response.content.decode()  # the lookup form, answered normally


def test_a_window_expires_and_the_client_may_try_again(settings):
    """On whichever cache is configured (Redis under CI): after the window, the count starts again."""
    import time

    assert [rate_limit_hit(key="t:expiry", limit=1, window=1) for _ in range(2)] == [True, False]
    time.sleep(1.2)
    assert rate_limit_hit(key="t:expiry", limit=1, window=1)


@pytest.mark.redis
def test_a_window_expires_on_redis():
    import time

    from django.core.cache import caches

    assert caches["default"].__class__.__name__ == "FailSoftRedisCache"
    assert [rate_limit_hit(key="t:expiry-redis", limit=2, window=1) for _ in range(3)] == [True, True, False]
    time.sleep(1.2)
    assert rate_limit_hit(key="t:expiry-redis", limit=2, window=1)
