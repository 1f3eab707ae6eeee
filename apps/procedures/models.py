from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Procedure(models.Model):
    """An administrative procedure citizens can book a visit for (the identity card is one of them).

    Officers maintain the catalogue text in admin; the citizen's form for a procedure is defined in code and
    found by `slug` (see `apps.procedures.forms.registry`).
    """

    IDENTITY_CARD = "cap-cccd"

    slug = models.SlugField(_("short address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    summary = models.TextField(_("who it is for"), blank=True)
    summary_en = models.TextField(_("who it is for (English)"), blank=True)
    documents = models.TextField(_("documents to bring"), blank=True, help_text=_("One document per line."))
    documents_en = models.TextField(_("documents to bring (English)"), blank=True)
    fee = models.TextField(
        _("fee"),
        blank=True,
        help_text=_(
            "Amounts come from the fee schedule on the day the page is shown: {reason code} is that reason's fee "
            "(e.g. {own_request}), {reduction} the reduction in force, if any."
        ),
    )
    fee_en = models.TextField(_("fee (English)"), blank=True)
    processing_time = models.CharField(_("processing time"), max_length=200, blank=True)
    processing_time_en = models.CharField(_("processing time (English)"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    units = models.ManyToManyField(
        "units.PoliceUnit",
        blank=True,
        related_name="procedures",
        verbose_name=_("handled at"),
    )
    is_active = models.BooleanField(_("open for booking"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ("order", "name")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return _language_path(f"/thu-tuc/{self.slug}/gioi-thieu/")

    @property
    def start_path(self) -> str:
        """Where the citizen starts this procedure online: `/thu-tuc/<slug>/` for every procedure.

        The identity card's journey is served there by apps.declarations, the others by this app's generic
        journey (for slugs with a registered form).
        """
        return _language_path(f"/thu-tuc/{self.slug}/")

    def _localized(self, field: str) -> str:
        if translation.get_language() == "en":
            return getattr(self, f"{field}_en") or getattr(self, field)
        return getattr(self, field)

    @property
    def display_name(self) -> str:
        return self._localized("name")

    @property
    def display_summary(self) -> str:
        return self._localized("summary")

    @property
    def display_documents(self) -> list[str]:
        return [line.strip(" -•\t") for line in self._localized("documents").splitlines() if line.strip(" -•\t")]

    @property
    def display_fee(self) -> str:
        return self._localized("fee")

    @property
    def display_processing_time(self) -> str:
        return self._localized("processing_time")

    @property
    def display_legal_basis(self) -> str:
        return self._localized("legal_basis")


def _language_path(path: str) -> str:
    language = translation.get_language()
    if language and language != settings.LANGUAGE_CODE:
        return f"/{language}{path}"
    return path
