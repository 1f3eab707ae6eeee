from celery import shared_task
from celery.contrib.django.task import DjangoTask


# Hundreds of thousands of rows take minutes: this task has its own limits, not the 60 s of quick tasks.
@shared_task(bind=True, base=DjangoTask, name="exports.run", acks_late=True, soft_time_limit=1800, time_limit=1900)
def run_export(self, job_id: str) -> str | None:
    from .services import export_job_run

    job = export_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="exports.purge_expired")
def purge_expired_exports() -> int:
    from .services import export_job_purge_expired

    return export_job_purge_expired()
