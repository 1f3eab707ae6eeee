"""Test settings: the base settings, with DATABASE_URL / REDIS_URL honoured when given (CI sets both)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789-abcdefghijklmnopq")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("CACHE_KEY_PREFIX", "portal-test")

from .base import *  # noqa: F403
from .base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collectstatic in tests: serve the source files (the manifest storage is exercised by the CI smoke test).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Exports written by tests stay in memory (tests/exports writes to a temporary folder to check the files).
STORAGES["exports"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
# Tests run tasks in-process unless a test starts a real worker (see tests/conftest.py `celery_worker_real`).
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
