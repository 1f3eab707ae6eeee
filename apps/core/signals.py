"""Celery worker signals: the worker's heartbeat, for /readyz and the metrics."""

from celery.signals import heartbeat_sent

from .health import worker_heartbeat_record


def _on_heartbeat(sender=None, **kwargs) -> None:
    worker_heartbeat_record()


heartbeat_sent.connect(_on_heartbeat, weak=False, dispatch_uid="core.worker_heartbeat")
