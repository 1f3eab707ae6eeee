from celery import shared_task

from .services.purge import personal_data_purge_expired


@shared_task(name="privacy.purge_expired", bind=True, max_retries=0, ignore_result=True)
def purge_expired(self) -> dict[str, int]:
    """Periodic (beat, hourly): the retention schedule. Counts are logged by the service."""
    return personal_data_purge_expired()
