"""Apply the retention schedule once (what the `privacy.purge_expired` beat task does)."""

from django.core.management.base import BaseCommand

from apps.privacy.services.purge import personal_data_purge_expired


class Command(BaseCommand):
    help = "Delete or blank the personal data older than the retention schedule (PRIVACY_RETENTION_DAYS)."

    def handle(self, *args, **options):
        counts = personal_data_purge_expired()
        self.stdout.write("; ".join(f"{step}: {count}" for step, count in counts.items()))
