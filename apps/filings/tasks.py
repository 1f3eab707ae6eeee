import logging

from celery import shared_task

from .services import draft_delete_expired

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=0, ignore_result=True)
def delete_expired_drafts(self) -> int:
    """Periodic (beat, hourly): drafts not submitted within 7 days of their last change are deleted, answers and all
    (personal data is kept only as long as the purpose needs it)."""
    count = draft_delete_expired()
    if count:
        logger.info("Deleted %s expired drafts", count)
    return count
