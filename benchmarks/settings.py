"""Benchmark settings: production settings plus a bare view to compare against (benchmarks/urls.py)."""

import os

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# BENCH_CACHE=none: no cache at all (every cached fragment, listing and availability computed on each request), to
# measure the cached pages also uncached.
if os.environ.get("BENCH_CACHE") == "none":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
