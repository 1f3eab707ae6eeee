from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.units.importing import units_import, units_read


class Command(BaseCommand):
    help = "Create or update police units, phones, opening hours and booking schedules from a YAML or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = units_import(rows=units_read(file))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{len(result.created)} units created, {len(result.updated)} updated.")
