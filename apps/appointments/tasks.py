import logging

from celery import shared_task

from .services import appointment_expire_holds

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=0, ignore_result=True)
def expire_holds(self) -> int:
    """Periodic tidy-up (beat, every 5 minutes). Expired holds already stop counting in every query; this only
    marks them EXPIRED so lists and the roster read clearly."""
    count = appointment_expire_holds()
    if count:
        logger.info("Marked %s expired holds", count)
    return count
