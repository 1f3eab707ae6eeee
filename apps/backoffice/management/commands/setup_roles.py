from django.core.management.base import BaseCommand

from apps.backoffice.services import roles_setup


class Command(BaseCommand):
    help = "Create or update the officers' groups (roles) and their permissions. Safe to run again."

    def handle(self, *args, **options):
        for name, count in roles_setup().items():
            self.stdout.write(f"  {name}: {count} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are up to date."))
