"""Day-before reminders, set-based: tomorrow's list in one query, then chunks of a fixed number of appointments,
each written in one transaction with a constant number of queries (read the chunk, insert its messages, read back
their ids) and handed to the queue after commit in one batch.

Why it cannot send twice or skip: each reminder's once-only key (`reminder:<appointment>:<day>`) is unique in the
database, so a second run, a concurrent run or a retried chunk inserts nothing for an appointment already
reminded; the list only holds appointments without that key, so a run that died after some chunks resumes where it
stopped. A chunk that committed but died before reaching the queue is picked up by the outbox sweep
(`notification_requeue_due`), like any message whose hand-over was lost.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.codes import code_generate

from .models import Kind, Language, Notification

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    finished: bool


def reminder_dedup_key(*, appointment_id: int, day: date) -> str:
    return f"reminder:{appointment_id}:{day:%Y-%m-%d}"


def _reminder_notification(row: dict, *, day: date, content_type_id: int) -> Notification | None:
    from .services.phones import phone_normalize

    try:
        phone = phone_normalize(str(row["phone"] or ""))
    except ValidationError:
        logger.warning("Reminder for appointment %s not sent: no valid phone", row["pk"])
        return None
    language = row["citizen_language"] if row["citizen_language"] in Language.values else Language.VI
    starts_at = timezone.localtime(row["slot__starts_at"])
    unit_name = row["unit__name_en"] if language == Language.EN and row["unit__name_en"] else row["unit__name"]
    address = row["unit__address_en"] if language == Language.EN and row["unit__address_en"] else row["unit__address"]
    # The same data `appointment_message_context` gives a single message about an appointment.
    context = {
        "name": row["holder_name"],
        "reference": row["reference"],
        "unit": unit_name,
        "address": address,
        "date": f"{starts_at:%d/%m/%Y}",
        "time": f"{starts_at:%H:%M}",
    }
    return Notification(
        kind=Kind.APPOINTMENT_REMINDER,
        language=language,
        context=context,
        phone=phone,
        subject_type_id=content_type_id,
        subject_id=str(row["pk"]),
        expires_at=row["slot__starts_at"],
        dedup_key=reminder_dedup_key(appointment_id=row["pk"], day=day),
        idempotency_key=uuid.uuid4().hex,
        verification_code=code_generate(length=6),
    )


def _insert_chunk(notifications: list[Notification]) -> list[int]:
    """Insert the chunk's messages; returns the ids of those this run created. A row whose once-only key exists
    already (another run reminded it) is skipped by the database; a row that lost only on its random verification
    code is retried with a new code, so no reminder is dropped by bad luck."""
    created: list[int] = []
    pending = notifications
    for _attempt in range(10):
        if not pending:
            break
        Notification.objects.bulk_create(pending, ignore_conflicts=True)
        keys = {n.dedup_key: n for n in pending}
        stored = Notification.objects.filter(dedup_key__in=list(keys)).values_list("pk", "dedup_key", "idempotency_key")
        found = set()
        for pk, dedup_key, idempotency_key in stored:
            found.add(dedup_key)
            if keys[dedup_key].idempotency_key == idempotency_key:
                created.append(pk)
        pending = [n for key, n in keys.items() if key not in found]
        for notification in pending:
            notification.verification_code = code_generate(length=6)
    else:  # pragma: no cover - ten collisions in a row in a 30-bit space
        logger.error("Reminders: %s rows could not get a unique verification code", len(pending))
    return created


def _enqueue_many(notification_ids: list[int]) -> None:
    """Hand a committed chunk to the queue as ONE broker message (a worker fans it out into one delivery task per
    message), then record the hand-over in one query. A publish per message costs a broker round trip each: 50,000
    of them took minutes on a loaded machine. Whatever is not handed over (broker down, process killed) is sent by
    the sweep."""
    from .tasks import deliver_notifications as deliver_notifications_task

    try:
        deliver_notifications_task.delay(notification_ids)
    except Exception:
        logger.exception("Reminders: the queue is unavailable; the sweep will send %s messages", len(notification_ids))
        return
    Notification.objects.filter(pk__in=notification_ids, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def reminders_queue_chunk(*, appointment_ids: list[int], day: date) -> int:
    """Write the reminders of these appointments (at most one chunk) in one transaction; queue them after commit."""
    from .selectors import appointment_reminder_rows

    content_type_id = ContentType.objects.get_by_natural_key("appointments", "appointment").pk
    with transaction.atomic():
        rows = appointment_reminder_rows(ids=appointment_ids)
        notifications = [
            n for row in rows if (n := _reminder_notification(row, day=day, content_type_id=content_type_id))
        ]
        created = _insert_chunk(notifications)
        if created:
            transaction.on_commit(lambda: _enqueue_many(created))
    return len(created)


def reminders_run(
    *, now: datetime | None = None, chunk_size: int = CHUNK_SIZE, time_budget: float | None = None
) -> ReminderRun:
    """Queue tomorrow's reminders chunk by chunk. With `time_budget` (seconds) it stops between chunks once the
    budget is spent and says it has not finished; the next run continues with what is left."""
    from .selectors import appointment_ids_for_reminders

    local_now = timezone.localtime(now or timezone.now())
    first_hour, last_hour = settings.NOTIFICATIONS_REMINDER_HOURS
    if not first_hour <= local_now.hour < last_hour:
        return ReminderRun(queued=0, finished=True)
    day = local_now.date() + timedelta(days=1)
    started = monotonic()
    ids = appointment_ids_for_reminders(day=day)
    queued = 0
    for offset in range(0, len(ids), chunk_size):
        if time_budget is not None and offset and monotonic() - started > time_budget:
            logger.info("Reminders: %s queued, %s left for the next run", queued, len(ids) - offset)
            return ReminderRun(queued=queued, finished=False)
        queued += reminders_queue_chunk(appointment_ids=ids[offset : offset + chunk_size], day=day)
    if queued:
        logger.info("Reminders: %s queued for %s", queued, day)
    return ReminderRun(queued=queued, finished=True)
