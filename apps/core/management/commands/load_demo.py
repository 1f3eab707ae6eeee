"""Load the demo scenario (District 4 Police). Running it again changes nothing.

Each app that has demo data provides `apps/<app>/demo.py` with `load(*, stdout)`; they run in the order of
INSTALLED_APPS, so an app's demo data can rely on the apps listed before it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the District 4 demo data (units, schedules, news) and, with DEBUG on, demo officer accounts."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if not config.name.startswith("apps.") or find_spec(f"{config.name}.demo") is None:
                continue
            module = import_module(f"{config.name}.demo")
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
