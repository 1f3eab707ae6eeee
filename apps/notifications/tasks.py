"""Celery tasks: take ids, call a service. Delivery retries are decided by the service (it records the next
attempt time); the task only schedules itself for then. On the embedded default (eager mode) it never waits:
the row keeps its next attempt time and the sweep (`run_periodic_tasks`) runs it."""

import functools
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction

logger = logging.getLogger(__name__)


class OutboxTask(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._delay_or_log, *args, **kwargs))

    def _delay_or_log(self, notification_id, *args, **kwargs) -> None:
        from .services.sending import notification_mark_enqueued

        try:
            self.delay(notification_id, *args, **kwargs)
        except Exception:
            logger.exception("Notification %s: could not reach the queue; the sweep will send it", notification_id)
            return
        try:
            notification_mark_enqueued(notification_id=notification_id)
        except Exception:
            logger.exception("Notification %s: could not record the hand-over", notification_id)


@shared_task(bind=True, base=OutboxTask, name="notifications.deliver", max_retries=60, acks_late=True)
def deliver_notification(self, notification_id: int) -> str | None:
    from .services.delivery import notification_deliver

    try:
        report = notification_deliver(notification_id=notification_id)
    except Exception:
        logger.exception("Notification %s: delivery crashed", notification_id)
        return None
    if report is None:
        return None
    if report.retry_in is not None and not self.request.is_eager and self.request.retries < self.max_retries:
        # Capped below the broker's visibility timeout, so a scheduled retry is never redelivered twice.
        raise self.retry(countdown=min(report.retry_in, 1800))
    return report.status


@shared_task(name="notifications.deliver_many", acks_late=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Fan a batch (a chunk of reminders) out into one delivery task per message, on the worker's time, after
    recording in one query that the batch reached the queue (`enqueued_at`; the sweep leaves such rows alone until
    they are overdue). Eager (the embedded default): each is delivered in turn, in-process."""
    from django.utils import timezone

    from .models import Notification

    Notification.objects.filter(pk__in=notification_ids, enqueued_at__isnull=True).update(enqueued_at=timezone.now())
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except Exception:
            logger.exception("Notification %s: could not reach the queue; the sweep will send it", notification_id)
    return len(notification_ids)


@shared_task(name="notifications.sweep")
def sweep_notifications() -> int:
    from .services.delivery import notification_requeue_due

    return notification_requeue_due()


# Stops between chunks after REMINDERS_TIME_BUDGET seconds, well inside the soft limit, and queues itself again
# for the rest: a day with many bookings never ends in a killed task that reminded nobody.
REMINDERS_TIME_BUDGET = 40.0


@shared_task(bind=True, name="notifications.send_reminders")
def send_reminders(self) -> int:
    from .reminders import reminders_run

    run = reminders_run(time_budget=REMINDERS_TIME_BUDGET)
    if not run.finished and not self.request.is_eager:
        self.apply_async(countdown=1)
    return run.queued


@shared_task(name="notifications.refresh_zalo_token")
def refresh_zalo_token() -> bool:
    from .services.zalo_token import zalo_token_refresh_if_due

    return zalo_token_refresh_if_due()
