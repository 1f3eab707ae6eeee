"""Benchmark settings: production settings plus a bare view to compare against (benchmarks/urls.py)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
