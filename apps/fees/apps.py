from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "apps.fees"
    verbose_name = _("Fees")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (a change to the schedule drops its cached copy)
