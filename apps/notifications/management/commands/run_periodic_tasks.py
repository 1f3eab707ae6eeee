"""Run every periodic job once: for the embedded default, which has no Celery beat.

Schedule it with cron (e.g. every minute) or run it by hand. It runs exactly the jobs of CELERY_BEAT_SCHEDULE
(message sweep, reminders, Zalo token, hold expiry, the personal-data purge…), in-process, so a job added to
beat is never missing from cron. With a broker, the jobs themselves still hand their work to the workers.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery import app


class Command(BaseCommand):
    help = "Run every job of CELERY_BEAT_SCHEDULE once (message sweep, reminders, Zalo token, purge, …)."

    def handle(self, *args, **options):
        app.loader.import_default_modules()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            result = app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            outcome = "failed" if result.failed() else result.result
            self.stdout.write(f"{name}: {outcome}")
