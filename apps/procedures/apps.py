from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "apps.procedures"
    verbose_name = _("Procedures")

    def ready(self) -> None:
        from . import forms, signals  # noqa: F401  (registers the procedure forms, the catalogue's cache signals)
