"""Run the notifications' periodic jobs once: for the embedded default, which has no Celery beat.

Schedule it with cron (e.g. every minute) or run it by hand; with a broker it only queues work for the workers.
"""

from django.core.management.base import BaseCommand

from apps.notifications.services import notification_requeue_due, reminders_send_due, zalo_token_refresh_if_due


class Command(BaseCommand):
    help = "Run the periodic jobs once: re-queue unsent messages, queue tomorrow's reminders, refresh the Zalo token."

    def handle(self, *args, **options):
        refreshed = zalo_token_refresh_if_due()
        reminders = reminders_send_due()
        requeued = notification_requeue_due()
        self.stdout.write(
            f"Zalo token refreshed: {'yes' if refreshed else 'no'}; reminders queued: {reminders}; "
            f"messages handed to delivery again: {requeued}."
        )
