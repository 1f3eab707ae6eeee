"""DEBUG only: print the current sign-in code of the demo officers' authenticator device (apps/backoffice/demo.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from apps.backoffice.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "DEBUG only: the current code for the demo officers' second factor."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only with DEBUG on: demo officers exist only on a developer's machine.")
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write(f"{code:06d} (valid for {30 - int(time.time()) % 30} more seconds)")
