"""Seal every stored secret (pending one-time codes, the Zalo OA tokens) again with the current data key."""

from django.core.management.base import BaseCommand

from apps.notifications.services import sealed_values_reseal


class Command(BaseCommand):
    help = "Re-seal stored secrets with the first DATA_ENCRYPTION_KEYS key (run after adding a new key first)."

    def handle(self, *args, **options):
        counts = sealed_values_reseal()
        self.stdout.write(
            f"Re-sealed: {counts['resealed']}; unreadable with the configured keys: {counts['unreadable']}"
        )
