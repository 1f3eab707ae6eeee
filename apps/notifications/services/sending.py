"""The outbox: a message is a row written in the caller's transaction and handed to Celery after commit
(transactional-outbox pattern); officers' resends; the messages about an appointment (moved, cancelled, reminders)."""

import json
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_generate

from ..ceilings import ceiling_booking_allows, ceiling_daily_allows
from ..crypto import seal
from ..models import Kind, Language, Notification, Status
from .phones import phone_normalize

NO_RECIPIENT = _("A message needs a phone number or an e-mail address.")
UNKNOWN_KIND = _("Unknown kind of message.")
NOT_JSON = _("The message data must be plain text and numbers.")
OTP_CANNOT_BE_RESENT = _(
    "Confirmation codes are not resent by officers: the citizen asks for a new code on the portal."
)
RESENT_TOO_OFTEN = _("This message has already been resent as often as allowed.")


def notification_send(
    *,
    kind: str,
    language: str,
    context: dict,
    phone: str | None = None,
    email: str | None = None,
    subject: models.Model | None = None,
    secret_context: dict | None = None,
    expires_at: datetime | None = None,
    dedup_key: str | None = None,
    zalo_user_id: str | None = None,
) -> Notification:
    """Record a message in the caller's transaction and queue its delivery after commit.

    `zalo_user_id` (a follower of the Official Account) lets the message go as an OA consultation message first,
    falling back to the phone's channels outside Zalo's sending window.

    `context` is plain JSON data shown to operators; `secret_context` (a one-time code) is sealed and erased
    once the message is finished with. With `dedup_key`, a second call with the same key returns the first
    row and sends nothing (e.g. one reminder per appointment and day).
    """
    notification, _created = _notification_create(
        kind=kind,
        language=language,
        context=context,
        phone=phone,
        email=email,
        subject=subject,
        secret_context=secret_context,
        expires_at=expires_at,
        dedup_key=dedup_key,
        zalo_user_id=zalo_user_id,
    )
    return notification


def _notification_create(
    *,
    kind,
    language,
    context,
    phone,
    email,
    subject,
    secret_context,
    expires_at,
    dedup_key,
    resent_from=None,
    zalo_user_id=None,
) -> tuple[Notification, bool]:
    if kind not in Kind.values:
        raise ValidationError(UNKNOWN_KIND, code="unknown_kind")
    if not phone and not email and not zalo_user_id:
        raise ValidationError(NO_RECIPIENT, code="no_recipient")
    try:
        context = json.loads(json.dumps(context or {}))
    except (TypeError, ValueError) as exc:
        raise ValidationError(NOT_JSON, code="not_json") from exc
    if dedup_key:
        existing = Notification.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing, False
    # Ceilings on paid messages (ceilings.py): codes are checked by otp_issue before anything is written, an
    # officer's resend is the officer's decision; anything else past a ceiling is kept unsent, for officers to see.
    capped = (
        kind != Kind.OTP
        and resent_from is None
        and not (ceiling_booking_allows(kind=kind, subject=subject) and ceiling_daily_allows(kind=kind))
    )
    language = (language or "").split("-")[0].lower()  # "en-US" from a browser is English
    notification = Notification(
        kind=kind,
        language=language if language in Language.values else Language.VI,
        context=context,
        sealed_context=seal(json.dumps(secret_context)) if secret_context else "",
        phone=phone_normalize(phone) if phone else "",
        email=email or "",
        zalo_user_id=(zalo_user_id or "")[:64],
        expires_at=expires_at,
        dedup_key=dedup_key or None,
        idempotency_key=uuid.uuid4().hex,
        resent_from=resent_from,
        status=Status.CAPPED if capped else Status.QUEUED,
    )
    if subject is not None:
        notification.subject_type = ContentType.objects.get_for_model(subject)
        notification.subject_id = str(subject.pk)
    notification.full_clean(exclude=["idempotency_key", "verification_code", "dedup_key"])
    for _attempt in range(10):
        notification.verification_code = code_generate(length=6)
        try:
            with transaction.atomic():  # a savepoint: a collision must not break the caller's transaction
                notification.save()
            break
        except IntegrityError:
            if dedup_key and (existing := Notification.objects.filter(dedup_key=dedup_key).first()):
                return existing, False
            notification.pk = None
    else:  # pragma: no cover - ten collisions in a 30-bit space
        raise IntegrityError("could not assign a unique verification code")
    if not capped:
        _enqueue_after_commit(notification.pk)
    return notification, True


def _enqueue_after_commit(notification_id: int) -> None:
    from ..tasks import deliver_notification as deliver_notification_task

    # The task class catches broker errors in the on-commit hand-off: the caller's transaction has committed,
    # the row is safe, and the periodic sweep queues it again once the broker is back.
    deliver_notification_task.delay_on_commit(notification_id)


def notification_mark_enqueued(*, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def notification_resend(*, notification: Notification) -> Notification:
    """An operator's "resend": a new message (new key and verification code) with the same content.

    Each message can be resent NOTIFICATIONS_RESEND_MAX_PER_MESSAGE times (every resend costs a message to the
    provider and lands on a citizen's phone); officers' own limits are in apps.backoffice's resend service."""
    if notification.kind == Kind.OTP:
        raise ValidationError(OTP_CANNOT_BE_RESENT, code="otp_not_resendable")
    if notification.resends.count() >= settings.NOTIFICATIONS_RESEND_MAX_PER_MESSAGE:
        raise ValidationError(RESENT_TOO_OFTEN, code="resent_too_often")
    resent, _created = _notification_create(
        kind=notification.kind,
        language=notification.language,
        context=notification.context,
        phone=notification.phone or None,
        email=notification.email or None,
        subject=notification.subject,
        secret_context=None,
        expires_at=None,
        dedup_key=None,
        resent_from=notification,
        zalo_user_id=notification.zalo_user_id or None,
    )
    return resent


def reminders_send_due(*, now: datetime | None = None, time_budget: float | None = None) -> int:
    """Queue the day-before reminder of every booked appointment tomorrow, once per appointment and day.

    Runs from beat (or `run_periodic_tasks`) several times a day; only between the configured hours so nobody
    is woken up. The once-only key includes the day, so a moved appointment is reminded of its new day.
    Set-based and chunked (see `apps.notifications.reminders`); returns how many were queued."""
    from ..reminders import reminders_run

    return reminders_run(now=now, time_budget=time_budget).queued


def notification_send_appointment_change(
    *, appointment, event: str, previous_starts_at: datetime | None = None, reason: str = ""
) -> Notification | None:
    """Tell the citizen their appointment was moved or cancelled. Matches the `notify` hook of
    `appointment_reschedule` / `appointment_cancel` (called after their transaction commits). `reason`: why an
    officer moved it (a closed day), told in the message; a cancellation's reason is the appointment's own."""
    from ..selectors import appointment_message_context, citizen_language

    kinds = {"rescheduled": Kind.APPOINTMENT_MOVED, "cancelled": Kind.APPOINTMENT_CANCELLED}
    if event not in kinds or not appointment.phone:
        return None
    language = citizen_language(phone=str(appointment.phone), reference=appointment.reference)
    context = appointment_message_context(appointment=appointment, language=language)
    if event == "cancelled":
        if previous_starts_at is not None:
            previous = timezone.localtime(previous_starts_at)
            context.update(date=f"{previous:%d/%m/%Y}", time=f"{previous:%H:%M}")
        context["reason"] = appointment.cancel_reason
    elif reason:
        context["reason"] = reason
    return notification_send(
        kind=kinds[event], language=language, context=context, phone=str(appointment.phone), subject=appointment
    )
