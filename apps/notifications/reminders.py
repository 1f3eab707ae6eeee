"""Day-before reminders, set-based: tomorrow's list in one query, then chunks of a fixed number of appointments,
each written in one transaction with a constant number of queries (read the chunk, insert its messages, read back
their ids) and handed to the queue after commit in one batch.

Why it cannot send twice or skip: each reminder's once-only key (`reminder:<appointment>:<day>`) is unique in the
database, so a second run, a concurrent run or a retried chunk inserts nothing for an appointment already
reminded; the list only holds appointments without that key, so a run that died after some chunks resumes where it
stopped. A chunk that committed but died before reaching the queue is picked up by the outbox sweep
(`notification_requeue_due`), like any message whose hand-over was lost.
"""

import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.core.codes import code_display, code_generate

from .models import Kind, Language, Notification

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
# A booking's phone is stored in E.164 by `appointment_hold`; only another form goes through `phone_normalize`.
_E164 = re.compile(r"\+[1-9]\d{7,14}")
# The columns that differ from one reminder to the next (the others are the same for the whole chunk).
_VARYING = (
    "language",
    "context",
    "phone",
    "subject_id",
    "idempotency_key",
    "verification_code",
    "dedup_key",
    "expires_at",
)


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    finished: bool


def reminder_dedup_key(*, appointment_id: int, day: date) -> str:
    return f"reminder:{appointment_id}:{day:%Y-%m-%d}"


def _reminder_notification(row: dict, *, day: date, content_type_id: int) -> Notification | None:
    from .services.phones import phone_normalize

    phone = str(row["phone"] or "")
    try:
        phone = phone if _E164.fullmatch(phone) else phone_normalize(phone)
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
        "reference": code_display(row["reference"]),
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


def _insert_returning(notifications: list[Notification]) -> list[tuple[int, str]]:
    """PostgreSQL: insert the chunk in ONE statement (`INSERT ... SELECT FROM unnest(arrays)`, one array per column
    that varies, the others as constants) that skips conflicting rows and returns (id, once-only key) of the rows
    it wrote. `bulk_create` prepares every field of every row in Python (29 fields x 1,000 rows); this prepares
    eight lists. Every concrete field is written, so a field added to the model later is covered."""
    first = notifications[0]
    columns, selected, constants, arrays, names = [], [], [], [], []
    for field in Notification._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in _VARYING:
            values = [getattr(n, field.attname) for n in notifications]
            if field.attname == "context":
                values = [json.dumps(value, cls=field.encoder) for value in values]
            names.append(field.attname)
            arrays.append((values, "timestamptz" if field.get_internal_type() == "DateTimeField" else "text"))
            selected.append(f"v.{field.attname}::jsonb" if field.attname == "context" else f"v.{field.attname}")
        else:
            constants.append(field.get_db_prep_save(field.pre_save(first, add=True), connection))
            selected.append("%s")
    unnest = ", ".join(f"%s::{kind}[]" for _values, kind in arrays)
    # Table and column names come from the model, every value is a parameter.
    table, columns_sql, selected_sql = (
        connection.ops.quote_name(Notification._meta.db_table),
        ", ".join(columns),
        ", ".join(selected),
    )
    sql = f"INSERT INTO {table} ({columns_sql}) SELECT {selected_sql} FROM unnest({unnest}) AS v({', '.join(names)})"  # noqa: S608
    sql += " ON CONFLICT DO NOTHING RETURNING id, dedup_key"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *(values for values, _kind in arrays)])
        return cursor.fetchall()


def _insert_chunk(notifications: list[Notification]) -> list[int]:
    """Insert the chunk's messages; returns the ids of those this run created. A row whose once-only key exists
    already (another run reminded it) is skipped by the database; a row that lost only on its random verification
    code is retried with a new code, so no reminder is dropped by bad luck."""
    created: list[int] = []
    pending = notifications
    for _attempt in range(10):
        if not pending:
            break
        keys = {n.dedup_key: n for n in pending}
        if connection.vendor == "postgresql":
            written = _insert_returning(pending)
            created.extend(pk for pk, _key in written)
            missing = set(keys) - {key for _pk, key in written}
            # Not written: reminded already by another run (its key exists), or a verification code taken.
            taken = (
                set(Notification.objects.filter(dedup_key__in=list(missing)).values_list("dedup_key", flat=True))
                if missing
                else set()
            )
            pending = [keys[key] for key in missing - taken]
        else:
            Notification.objects.bulk_create(pending, ignore_conflicts=True)
            stored = Notification.objects.filter(dedup_key__in=list(keys)).values_list(
                "pk", "dedup_key", "idempotency_key"
            )
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
    message, and records the hand-over, `enqueued_at`, in one query when it receives the batch: that write is the
    worker's time, not the run's). A publish per message costs a broker round trip each: 50,000 of them took minutes
    on a loaded machine. Whatever is not handed over (broker down, process killed) is sent by the sweep."""
    from .tasks import deliver_notifications as deliver_notifications_task

    try:
        deliver_notifications_task.delay(notification_ids)
    except Exception:
        logger.exception("Reminders: the queue is unavailable; the sweep will send %s messages", len(notification_ids))


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
