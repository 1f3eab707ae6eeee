"""The baseline of benchmarks/notifications.py: a task that takes a notification id, like the real one, and
does nothing with it."""

from celery import shared_task


@shared_task(name="bench.noop")
def noop(notification_id: int) -> None:
    return None
