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


@shared_task(bind=True, max_retries=5, default_retry_delay=60, ignore_result=True)
def fetch_chat_image(self, entry_id: int) -> None:
    """Copy an image sent in the Zalo chat to private storage (retried while Zalo's server cannot be reached)."""
    from .conversations import chat_image_fetch

    try:
        chat_image_fetch(entry_id=entry_id)
    except OSError as exc:
        if self.request.is_eager:
            return  # in-process (embedded default): the officer still has the link to the image
        raise self.retry(exc=exc) from exc
