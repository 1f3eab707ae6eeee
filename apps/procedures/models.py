from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


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
    fee = models.TextField(_("fee"), blank=True)
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


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting confirmation")
    SUBMITTED = "submitted", _("Booked, awaiting the visit")
    ACCEPTED = "accepted", _("File accepted")
    RETURNED = "returned", _("Returned for corrections")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ProcedureRequest(models.Model):
    """A citizen's request for a procedure other than the identity card: the short form it defines, its code and
    the booked visit. `data` holds the form's cleaned fields (JSON), validated by the procedure's form class."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="requests", verbose_name=_("procedure")
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    holder_name = models.CharField(_("full name"), max_length=100)
    phone = PhoneNumberField(_("phone number"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="vi")
    data = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus, default=RequestStatus.DRAFT)
    # The visit: held while the citizen confirms, booked on confirmation. Its `reference` is this request's code.
    appointment = models.OneToOneField(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="procedure_request",
        verbose_name=_("appointment"),
    )
    officer_note = models.TextField(
        _("officer's note"),
        blank=True,
        help_text=_("For colleagues only. The reason given when the state changes is what the citizen receives."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("procedure request")
        verbose_name_plural = _("procedure requests")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("procedure", "status"), name="procedures_request_proc_status")]

    def __str__(self) -> str:
        return f"{self.code} · {self.holder_name}"
