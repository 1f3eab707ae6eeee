"""Store the Zalo OA token pair an OA administrator obtained (API Explorer or the OAuth v4 grant)."""

import getpass

from django.core.management.base import BaseCommand

from apps.notifications.services import zalo_token_store


class Command(BaseCommand):
    help = "Store a Zalo OA refresh token (and optionally an access token); asks for them without echoing."

    def add_arguments(self, parser):
        parser.add_argument("--expires-in", type=int, default=90000, help="Access token lifetime in seconds.")

    def handle(self, *args, **options):
        refresh_token = getpass.getpass("Refresh token: ").strip()
        access_token = getpass.getpass("Access token (empty: refresh at first use): ").strip()
        zalo_token_store(access_token=access_token, refresh_token=refresh_token, expires_in=options["expires_in"])
        self.stdout.write(self.style.SUCCESS("Zalo OA token stored."))
