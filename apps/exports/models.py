"""An export asked for by one officer: run in the background, written to the exports storage, downloadable only
by that officer until it is purged."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def exports_storage():
    # Resolved when used, so a deployment (or a test) can point STORAGES["exports"] at S3 or a temporary folder.
    return storages["exports"]


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (Excel)")
    XLSX = "xlsx", _("Excel workbook")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    # A random id: the download address says nothing about other officers' exports (and checks the owner anyway).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("officer")
    )
    # What to export: the admin list of this model, with the filters and search of its query string, and either
    # the rows ticked (their ids) or every matching row (null).
    model_label = models.CharField(_("records"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    basename = models.SlugField(_("file name"), max_length=60, default="export")
    query_string = models.TextField(_("filters"), blank=True)
    selected_ids = models.JSONField(_("selected rows"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="vi")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    # The file's name in the exports storage (resolved when used, not bound to the field at import).
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("user", "-created_at"), name="exports_job_user_recent"),
            models.Index(fields=("created_at",), name="exports_job_created"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_format_display()})"

    @property
    def filename(self) -> str:
        return f"{self.basename}-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.{self.format}"
