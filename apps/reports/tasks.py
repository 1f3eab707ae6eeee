from celery import shared_task


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
