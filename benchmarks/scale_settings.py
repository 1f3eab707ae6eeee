"""bench-scale settings: the production settings, with static files served from their sources (no collectstatic)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
