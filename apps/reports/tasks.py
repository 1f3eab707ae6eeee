import logging

from celery import shared_task

from .services import report_purge_unconfirmed

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=0, ignore_result=True)
def purge_unconfirmed_reports(self) -> int:
    """Reports whose reporter never entered the confirmation code are deleted after a day."""
    count = report_purge_unconfirmed()
    if count:
        logger.info("Deleted %d unconfirmed reports", count)
    return count
