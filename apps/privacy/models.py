from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectRequestAction(models.TextChoices):
    FIND = "find", _("Searched")
    EXPORT = "export", _("Exported for the citizen")
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
        permissions = [("handle_subject_request", _("Can find, export and erase a citizen's personal data"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject}"
