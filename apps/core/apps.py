from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import form_messages

# The project's form error messages become Django's defaults before any app defines a form (the admin's
# autodiscovery, which imports admin forms, runs in ready()).
form_messages.install()


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers the deploy checks, connects the worker heartbeat)
