"""Exports: an officer asks (`export_job_request`), a Celery task writes the file (`export_job_run`), the officer
downloads it from the exports list; `export_job_purge_expired` deletes old files.

What is exported is decided by the model's admin, through two methods every exporting admin has (see
`apps.backoffice.admin_mixins.ExportAdminMixin`): `get_export_queryset(request)` (the admin list with its
filters, search and the officer's unit scope, rebuilt from the stored query string for the officer who asked)
and `get_export_columns(request)` ((header, field or callable) pairs). The task streams the rows from the
database (`iterator`, server-side cursor on PostgreSQL) through a writer to a temporary file and hands that to
the exports storage (the file system by default, S3 in production), so memory does not grow with the rows.
The number of queries does not either: the columns read only what the queryset joins.
"""

import logging
import tempfile
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import lookup_field
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import ExportJob, ExportStatus, exports_storage
from .selectors import progress_cache_key
from .writers import WRITERS

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
FAILED_MESSAGE = _("The export could not be prepared. Please try again or ask an administrator.")


def export_job_request(
    *,
    user,
    model_admin,
    query_string: str,
    selected_ids: list | None,
    fmt: str,
    language: str,
) -> ExportJob:
    """Record an export of `model_admin`'s list (its filters in `query_string`; `selected_ids` or every matching
    row when None) and queue it after commit. On the embedded default the task runs in-process at commit."""
    from .tasks import run_export as run_export_task

    opts = model_admin.model._meta
    job = ExportJob(
        user=user,
        model_label=opts.label_lower,
        title=str(opts.verbose_name_plural)[:200],
        basename=getattr(model_admin, "export_filename", "export")[:60],
        query_string=query_string,
        selected_ids=[str(pk) for pk in selected_ids] if selected_ids is not None else None,
        format=fmt,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    job.full_clean()
    job.save()
    run_export_task.delay_on_commit(str(job.pk))
    return job


def _admin_request(job: ExportJob) -> HttpRequest:
    """The officer's admin list request, as far as the admin needs it to rebuild the queryset."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(job.query_string)
    request.user = job.user
    request.LANGUAGE_CODE = job.language
    return request


def _model_admin(job: ExportJob):
    model = apps.get_model(job.model_label)
    return admin.site._registry[model]


def _cell(obj, source, model_admin):
    if callable(source):
        return source(obj)
    _field, _attr, value = lookup_field(source, obj, model_admin)
    return value


def export_job_run(*, job_id) -> ExportJob | None:
    """Write the export's file. Safe to run again (a redelivered task starts over); a finished job is left."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return job
        job.status = ExportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with translation.override(job.language):
            _write(job)
    except Exception:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(FAILED_MESSAGE), finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _write(job: ExportJob) -> None:
    model_admin = _model_admin(job)
    request = _admin_request(job)
    if not model_admin.has_view_permission(request):
        raise PermissionError(f"{job.user} may not view {job.model_label}")
    queryset = model_admin.get_export_queryset(request)
    if job.selected_ids is not None:
        queryset = queryset.filter(pk__in=job.selected_ids)
    columns = model_admin.get_export_columns(request)
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    done = 0
    with tempfile.TemporaryFile() as stream:
        writer = WRITERS[job.format](stream, sheet_title=job.title)
        writer.header([str(header) for header, _source in columns])
        for obj in queryset.iterator(chunk_size=2000):
            writer.row([_cell(obj, source, model_admin) for _header, source in columns])
            done += 1
            if done % PROGRESS_EVERY == 0:
                cache.set(progress_cache_key(job.pk), done, timeout=3600)
        writer.close()
        stream.seek(0)
        name = exports_storage().save(f"{job.pk}/{job.filename}", File(stream, name=job.filename))
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, file_name=name, rows_done=done, finished_at=timezone.now()
    )
    cache.delete(progress_cache_key(job.pk))
    logger.info("Export %s: %s rows of %s", job.pk, done, job.model_label)


def export_job_purge_expired(*, now=None) -> int:
    """Delete exports (and their files) older than EXPORTS_KEEP_HOURS: they hold personal data."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.EXPORTS_KEEP_HOURS)
    count = 0
    storage = exports_storage()
    for job in ExportJob.objects.filter(created_at__lt=cutoff).only("pk", "file_name").iterator():
        if job.file_name:
            storage.delete(job.file_name)
        job.delete()
        count += 1
    if count:
        logger.info("Purged %s exports", count)
    return count
