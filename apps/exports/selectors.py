from django.core.cache import cache
from django.db.models import QuerySet

from .models import ExportJob, ExportStatus


def progress_cache_key(job_id) -> str:
    return f"exports:progress:{job_id}"


def export_job_list_for_user(*, user) -> QuerySet[ExportJob]:
    """An officer's own exports: nobody sees, or downloads, another officer's."""
    return ExportJob.objects.filter(user=user)


def export_job_get_for_download(*, user, job_id) -> ExportJob | None:
    return ExportJob.objects.filter(user=user, pk=job_id, status=ExportStatus.DONE).exclude(file_name="").first()


def export_job_rows_done(*, job: ExportJob) -> int:
    """Rows written so far: the running task reports them in the cache (no database write per chunk)."""
    if job.status == ExportStatus.RUNNING:
        return cache.get(progress_cache_key(job.pk), job.rows_done)
    return job.rows_done
