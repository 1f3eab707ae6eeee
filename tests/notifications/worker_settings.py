"""Settings of the Celery worker processes that the real-worker tests and the benchmark start.

The test settings, but tasks really go through the broker, and an abandoned (unacknowledged) message becomes
visible again after TEST_VISIBILITY_TIMEOUT seconds instead of an hour, so a test can kill a worker and watch
the next one take the message over.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# Extra task modules for a worker (the benchmark's empty task).
CELERY_IMPORTS = [name for name in os.environ.get("WORKER_EXTRA_TASK_MODULES", "").split(",") if name]
