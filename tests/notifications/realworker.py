"""Helpers of the real-worker tests: waiting on another process, the worker's environment, the broker made
unreachable for this process only."""

import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from apps.notifications.models import Notification
from config.celery import app as celery_app

from .workers import worker_environment


def wait_for(predicate, *, timeout: float = 45, what: str = "condition", logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    details = "\n".join(worker.log()[-4000:] for worker in logs)
    pytest.fail(f"timed out waiting for {what}\n{details}")


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment_for(fakes: dict, *, redis_url: str, **extra_env: str) -> dict[str, str]:
    from .conftest import provider_environment

    return worker_environment(
        database_url=database_url(),
        redis_url=redis_url,
        extra={
            **provider_environment(zalo=fakes["zalo"], esms=fakes["esms"], smtp=fakes["smtp"]),
            "EMAIL_USE_TLS": "false",
            **extra_env,
        },
    )


def confirm(**overrides) -> Notification:
    """A declaration confirmation written in its caller's transaction."""
    from apps.notifications.services import notification_send

    arguments = {
        "kind": "filing_confirmed",
        "language": "vi",
        "context": {"name": "Trần Thị Bình", "reference": "Q4KM-7XPA-3", "unit": "Công an Phường Khánh Hội"},
        "phone": "0912345678",
        **overrides,
    }
    with transaction.atomic():
        notification = notification_send(**arguments)
    return notification


def status_of(notification) -> str:
    return Notification.objects.values_list("status", flat=True).get(pk=notification.pk)


@contextmanager
def broker_unreachable():
    """Publishing fails as it does when Redis is down: a real connection to a port where nothing listens."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/2"
    celery_app._after_fork()  # drop the pooled connections to the real broker
    try:
        yield
    finally:
        celery_app.conf.broker_url = saved
        celery_app._after_fork()
