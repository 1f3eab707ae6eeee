from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "apps.declarations"
    verbose_name = _("Declarations")

    def ready(self) -> None:
        # The identity card's own multi-step form: how officers read its stored answers, and the page that reopens
        # it for a correction (apps.filings.answers).
        from apps.filings.answers import MultiStepForm, multi_step_register

        from . import summary
        from .selectors import IDENTITY_CARD

        multi_step_register(
            IDENTITY_CARD,
            MultiStepForm(describe=summary.stored_answer_rows, correct_url_name="declarations:correct"),
        )
