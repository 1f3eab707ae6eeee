from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectRequestAction(models.TextChoices):
    FIND = "find", _("Searched")
    EXPORT = "export", _("Exported for the citizen")
    CORRECT = "correct", _("Corrected")
    ERASE = "erase", _("Erased")


class SubjectRequest(models.Model):
    """One step of answering a citizen's data request (Decree 13/2023, Law 91/2025): who, why, what was found.

    The identifier the citizen gave is kept only masked, so this log is no copy of the data it is about."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    action = models.CharField(_("action"), max_length=8, choices=SubjectRequestAction)
    subject = models.CharField(_("card number or phone (masked)"), max_length=40)
    reason = models.TextField(_("reason"))
    counts = models.JSONField(_("records"), default=dict)

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ("-at", "-id")
        permissions = [("handle_subject_request", _("Can find, export, correct and erase a citizen's personal data"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject}"


class PrivacyNotice(models.Model):
    """The notice citizens read on the first step of every journey that collects personal data, the separate
    consent for sensitive data and the declaration statement of the paper form. Editable by the district in admin:
    a published version is never changed, a new version is added instead, and each filing records the version the
    citizen accepted (its `version`)."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    published_at = models.DateTimeField(_("in force from"), default=timezone.now)
    notice = models.TextField(
        _("notice"),
        help_text=_(
            "Who collects the data (the unit), for what, how long it is kept, who sees it, the person's rights."
        ),
    )
    notice_en = models.TextField(_("notice in English"), blank=True)
    sensitive_consent = models.TextField(
        _("consent to sensitive data"),
        help_text=_("Asked separately where a form asks for ethnicity, religion or blood group."),
    )
    sensitive_consent_en = models.TextField(_("consent to sensitive data in English"), blank=True)
    declaration = models.TextField(_("declaration statement"), help_text=_("“Tôi xin cam đoan…” of the paper form."))
    declaration_en = models.TextField(_("declaration statement in English"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ("-version",)

    def __str__(self) -> str:
        return f"v{self.version} ({self.published_at:%d/%m/%Y})"

    def localized(self, field: str, language: str) -> str:
        return (language == "en" and getattr(self, f"{field}_en")) or getattr(self, field)
