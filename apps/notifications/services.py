"""Notifications: the outbox, its delivery, confirmation codes, reminders and the Zalo OA token.

Other apps call only `notification_send`, `otp_issue` and `otp_verify` (see docs/ARCHITECTURE.md).

Delivery follows the transactional-outbox pattern: `notification_send` writes a row in the caller's transaction
and hands its id to Celery after commit. `notification_deliver` (run by the task, by the periodic sweep, or
in-process on the embedded default) claims the row, tries the channels in the kind's fallback order and records
every answer. The row, not the broker, is the source of truth: a lost task, a dead worker or a broker that was
down only delay a message; the sweep picks it up again. Retry policy after GOV.UK Notify: temporary failures
are retried with exponential backoff and jitter for hours (NOTIFICATIONS_RETRY_WINDOW_SECONDS), then the row
becomes a technical failure for operators to see; refusals are never retried and go to the next channel.
"""

import json
import logging
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from apps.core.codes import code_format, code_generate
from apps.core.ratelimit import client_fingerprint, current_session, rate_limit_hit, rate_limit_once

from . import zalo_api
from .ceilings import ceiling_booking_allows, ceiling_daily_allows, ceiling_trip_record
from .channels import Message, SendResult, TransientHTTPError, channel_get, http_post
from .crypto import SealError, reseal, seal, unseal
from .models import (
    CeilingTrip,
    Channel,
    DeliveryAttempt,
    Kind,
    Language,
    MessageTemplate,
    Notification,
    OtpChallenge,
    Outcome,
    Status,
    ZaloFollower,
    ZaloToken,
)
from .templating import DEFAULTS, MASK, placeholders_in, render_text

logger = logging.getLogger(__name__)

INVALID_PHONE = _("Enter a Vietnamese mobile number, for example 0912 345 678.")
NO_RECIPIENT = _("A message needs a phone number or an e-mail address.")
UNKNOWN_KIND = _("Unknown kind of message.")
NOT_JSON = _("The message data must be plain text and numbers.")
OTP_CANNOT_BE_RESENT = _(
    "Confirmation codes are not resent by officers: the citizen asks for a new code on the portal."
)
RESENT_TOO_OFTEN = _("This message has already been resent as often as allowed.")
OTP_TOO_SOON = _(
    "A code was sent to this number less than a minute ago. Please wait a moment before asking for a new one."
)
OTP_TOO_MANY_FOR_PHONE = _("Too many codes were asked for this number. Please try again in an hour.")
OTP_TOO_MANY_FOR_CLIENT = _("Too many codes were asked from this device. Please try again later.")
OTP_TOO_MANY_TODAY = _(
    "We cannot send more confirmation codes today. Please try again tomorrow, or call the police unit."
)
OTP_FORMAT = _("Enter the 6 digits of the code we sent you.")
OTP_WRONG = ngettext_lazy(
    "The code is not correct. You have %(count)d try left.",
    "The code is not correct. You have %(count)d tries left.",
    "count",
)
OTP_EXPIRED = _("This code has expired. Please ask for a new code.")
OTP_LOCKED = _("The code was entered wrongly too many times. Please ask for a new code.")
OTP_USED = _("This code has already been used. Please ask for a new code if you need one.")
CHECK_FOOTER = _("Check that this message is ours at %(url)s, code %(code)s")

OTP_DIGITS = 6


class RateLimited(ValidationError):
    """A ValidationError for a citizen who asks too often (code "rate_limited")."""


# --- Phones ---------------------------------------------------------------------------------------------------
def phone_normalize(raw: str) -> str:
    """A Vietnamese mobile number in E.164 (+849…), from what a citizen typed (0912 345 678, 84912…, +84…)."""
    text = (raw or "").strip()
    if text.startswith("84") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- Sending --------------------------------------------------------------------------------------------------
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
    from .tasks import deliver_notification as deliver_notification_task

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


# --- Delivery -------------------------------------------------------------------------------------------------
@dataclass
class DeliveryReport:
    status: str
    retry_in: float | None = None


def _template_for(kind: str, language: str) -> tuple[str, str, str]:
    """(subject, body, zns template id) for a kind in a language, falling back to Vietnamese, then the default."""
    for lang in (language, Language.VI):
        template = MessageTemplate.objects.filter(kind=kind, language=lang).first()
        if template is not None:
            return template.subject, template.body, template.zns_template_id
    # No row (a test database emptied by a transactional test, or a deleted template): the shipped text.
    subject, body = DEFAULTS.get((kind, language)) or DEFAULTS[(kind, Language.VI)]
    return subject, body, ""


def check_url(language: str) -> str:
    prefix = "" if language == Language.VI else f"/{language}"
    return f"{settings.SITE_URL}{prefix}/kiem-tra-tin-nhan/"


def _secrets_of(notification: Notification) -> dict:
    if not notification.sealed_context:
        return {}
    try:
        return json.loads(unseal(notification.sealed_context))
    except (SealError, ValueError):
        logger.error("Notification %s: its sealed data cannot be read (SECRET_KEY changed?)", notification.pk)
        return {}


def _build_message(notification: Notification) -> tuple[Message, str]:
    """The message as sent (with secrets) and the text as stored (secrets masked)."""
    subject, body, zns_template_id = _template_for(notification.kind, notification.language)
    hidden = _secrets_of(notification)
    with translation.override(notification.language):
        footer = str(CHECK_FOOTER) % {
            "url": check_url(notification.language),
            "code": code_format(notification.verification_code),
        }
    full = {**notification.context, **hidden}
    text = f"{render_text(body, full)}\n{footer}"
    masked = f"{render_text(body, {**notification.context, **dict.fromkeys(hidden, MASK)})}\n{footer}"
    # Zalo refuses parameters its approved template does not declare: the ZNS template is registered with the
    # placeholders of this text (same names) plus `check_code`, and only those are sent.
    try:
        wanted = set(placeholders_in(body))
    except ValueError:
        wanted = set(full)
    template_data = {key: str(full.get(key) if full.get(key) is not None else "") for key in sorted(wanted)}
    template_data["check_code"] = notification.verification_code
    oa_attachment = None
    if notification.kind == Kind.CONTACT_REQUEST:
        oa_attachment = zalo_api.request_user_info_attachment(
            title=render_text(subject, notification.context) or text[:100], subtitle=text
        )
    message = Message(
        notification_id=notification.pk,
        kind=notification.kind,
        language=notification.language,
        phone=notification.phone,
        email=notification.email,
        subject=render_text(subject, notification.context),
        text=text,
        idempotency_key=notification.idempotency_key,
        zns_template_id=zns_template_id,
        template_data=template_data,
        zalo_user_id=notification.zalo_user_id,
        zalo_window_open=zalo_window_is_open(user_id=notification.zalo_user_id) if notification.zalo_user_id else False,
        oa_attachment=oa_attachment,
    )
    return message, masked


def channel_chain(*, message: Message) -> list[str]:
    """The channels to try for this message, in the kind's fallback order, keeping those that are configured
    and can reach the recipient. With no real channel configured at all (the embedded default): the outbox."""
    configured = {name: channel_get(name) for name in (Channel.ZALO_OA, Channel.ZNS, Channel.SMS, Channel.EMAIL)}
    configured = {name: channel for name, channel in configured.items() if channel.is_configured()}
    if not configured:
        return [Channel.OUTBOX]
    order = settings.NOTIFICATIONS_FALLBACK.get(message.kind, settings.NOTIFICATIONS_FALLBACK_DEFAULT)
    return [name for name in order if name in configured and configured[name].can_send(message)]


def _backoff_seconds(channel_attempts: int) -> float:
    """Exponential backoff with "equal jitter": half the step fixed, half random, capped."""
    step = min(
        settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(channel_attempts - 1, 0),
        settings.NOTIFICATIONS_RETRY_MAX_SECONDS,
    )
    return step / 2 + random.uniform(0, step / 2)


def _finish(notification: Notification, status: str, *, now: datetime, answer: str | None = None) -> None:
    notification.status = status
    notification.sealed_context = ""  # the one-time code is no longer needed anywhere
    notification.sending_since = None
    notification.next_attempt_at = None
    if status == Status.SENT:
        notification.sent_at = now
    else:
        notification.failed_at = now
    if answer is not None:
        notification.provider_answer = answer
    notification.save()


def _start_attempt(notification: Notification, *, now: datetime, masked: str) -> DeliveryAttempt:
    notification.status = Status.SENDING
    notification.sending_since = now
    notification.last_attempt_at = now
    notification.next_attempt_at = None
    notification.attempts += 1
    notification.body = masked
    notification.save()
    return DeliveryAttempt.objects.create(notification=notification, channel=notification.channel)


def notification_deliver(*, notification_id: int) -> DeliveryReport | None:
    """Deliver one outbox row. Safe to call any number of times, from any number of processes: the row is
    claimed under a lock, a row already sent is never sent again, and a row whose worker died mid-send (still
    "sending" after NOTIFICATIONS_SENDING_LEASE_SECONDS) is taken over with the same idempotency key."""
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.is_finished:
            return None
        if notification.status == Status.SENDING:
            lease = timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
            if notification.sending_since and notification.sending_since > now - lease:
                return DeliveryReport(Status.SENDING)  # another worker holds it
            notification.delivery_attempts.filter(finished_at__isnull=True).update(
                outcome=Outcome.INTERRUPTED, finished_at=now
            )
            logger.warning("Notification %s: taking over an interrupted send", notification.pk)
        elif notification.next_attempt_at and notification.next_attempt_at > now + timedelta(seconds=1):
            # A stray duplicate: the run that recorded the failure already scheduled the retry (or the sweep will).
            return DeliveryReport(notification.status)
        if notification.expires_at and notification.expires_at <= now:
            _finish(notification, Status.PERMANENT_FAILURE, now=now, answer="expired before it could be sent")
            return DeliveryReport(notification.status)
        message, masked = _build_message(notification)
        chain = channel_chain(message=message)
        if not chain:
            _finish(notification, Status.PERMANENT_FAILURE, now=now, answer="no configured channel reaches it")
            return DeliveryReport(notification.status)
        if notification.channel not in chain:
            notification.channel = chain[0]
            notification.channel_attempts = 0
        attempt = _start_attempt(notification, now=now, masked=masked)
    return _deliver_on_channels(notification, attempt, chain, message, masked)


def _deliver_on_channels(notification, attempt, chain, message, masked) -> DeliveryReport:
    while True:
        attempt_number = notification.attempts
        try:
            result = channel_get(notification.channel).send(message)
        except Exception as exc:
            logger.exception("Notification %s: channel %s crashed", notification.pk, notification.channel)
            result = SendResult.transient(f"{type(exc).__name__} in the {notification.channel} client")
        if result.alert:
            logger.error(
                "Notification %s: %s refused it; an operator must check the channel's configuration: %s",
                notification.pk,
                notification.channel,
                result.answer,
            )
        with transaction.atomic():
            notification = Notification.objects.select_for_update().get(pk=notification.pk)
            now = timezone.now()
            attempt.outcome = result.outcome
            attempt.provider_answer = result.answer
            attempt.provider_message_id = result.provider_message_id
            attempt.reason = result.reason
            attempt.finished_at = now
            attempt.save()
            if notification.status != Status.SENDING or notification.attempts != attempt_number:
                # Another worker took the row over meanwhile (this one overran its lease): it owns the outcome.
                logger.warning("Notification %s: answer came after a takeover; kept on the attempt", notification.pk)
                return DeliveryReport(notification.status)
            notification.provider_answer = result.answer
            if result.outcome == Outcome.SENT:
                notification.provider_message_id = result.provider_message_id
                _finish(notification, Status.SENT, now=now)
                return DeliveryReport(Status.SENT)
            position = chain.index(notification.channel) if notification.channel in chain else len(chain)
            next_channel = chain[position + 1] if position + 1 < len(chain) else None
            if result.outcome == Outcome.TRANSIENT:
                notification.channel_attempts += 1
                fallback_after = settings.NOTIFICATIONS_FALLBACK_AFTER_TRANSIENT.get(
                    notification.kind, settings.NOTIFICATIONS_FALLBACK_AFTER_TRANSIENT_DEFAULT
                )
                if next_channel is None or notification.channel_attempts < fallback_after:
                    delay = _backoff_seconds(notification.channel_attempts)
                    deadline = notification.created_at + timedelta(seconds=settings.NOTIFICATIONS_RETRY_WINDOW_SECONDS)
                    if notification.expires_at:
                        deadline = min(deadline, notification.expires_at)
                    if now + timedelta(seconds=delay) > deadline:
                        _finish(notification, Status.FAILED, now=now)
                        logger.error("Notification %s: technical failure after retries", notification.pk)
                        return DeliveryReport(Status.FAILED)
                    notification.status = Status.QUEUED
                    notification.sending_since = None
                    notification.next_attempt_at = now + timedelta(seconds=delay)
                    # Counted as handed over until then: the sweep only steps in if that retry never runs.
                    notification.enqueued_at = notification.next_attempt_at
                    notification.save()
                    return DeliveryReport(Status.QUEUED, delay)
            elif next_channel is None:
                _finish(notification, Status.PERMANENT_FAILURE, now=now)
                return DeliveryReport(Status.PERMANENT_FAILURE)
            # Fall back to the next channel now, in this same run.
            notification.channel = next_channel
            notification.channel_attempts = 0
            attempt = _start_attempt(notification, now=now, masked=masked)


def notification_requeue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The periodic sweep: hand rows to the queue again that were never handed over (the broker was down at
    commit), whose hand-over got lost, whose retry is overdue, or whose worker died mid-send. Returns how many."""
    from .tasks import deliver_notification as deliver_notification_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)
    lease_over = now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    due_queued = (
        models.Q(status=Status.QUEUED)
        & (models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))
        & (
            models.Q(enqueued_at__isnull=True, created_at__lte=stale)
            | models.Q(enqueued_at__isnull=False, enqueued_at__lte=stale)
        )
    )
    abandoned = models.Q(status=Status.SENDING, sending_since__lte=lease_over)
    ids = list(
        Notification.objects.filter(due_queued | abandoned).order_by("created_at").values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for notification_id in ids:
        Notification.objects.filter(pk=notification_id).update(enqueued_at=now)
        try:
            deliver_notification_task.delay(notification_id)
        except Exception:
            logger.exception("Sweep: the queue is unavailable; %s messages wait for the next sweep", len(ids))
            Notification.objects.filter(pk=notification_id).update(enqueued_at=None)
            break
        queued += 1
    if queued:
        logger.info("Sweep: handed %s messages to the queue again", queued)
    return queued


# --- Delivery receipts and the OA's followers -----------------------------------------------------------------
def notification_mark_delivered(*, tracking_id: str, delivered_at: datetime | None = None) -> Notification | None:
    """A provider's delivery receipt (ZNS `user_received_message`, correlated on our tracking id). A receipt for an
    unknown id, or a repeated one, changes nothing and returns None."""
    if not tracking_id:
        return None
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(idempotency_key=tracking_id).first()
        if notification is None or notification.delivered_at is not None:
            return None
        notification.delivered_at = delivered_at or timezone.now()
        notification.save(update_fields=["delivered_at"])
    return notification


def zalo_window_is_open(*, user_id: str, now: datetime | None = None) -> bool:
    """Whether the OA may still send this follower a consultation message (zalo_api.CS_WINDOW since their last
    interaction with the Official Account)."""
    last = ZaloFollower.objects.filter(user_id=user_id).values_list("last_interaction_at", flat=True).first()
    return bool(last and last > (now or timezone.now()) - zalo_api.CS_WINDOW)


def zalo_follower_touch(
    *, user_id: str, at: datetime | None = None, interaction: bool = True, user_id_by_app: str = ""
) -> ZaloFollower:
    """Record that a follower interacted with the OA (a message, a follow): it (re)opens the sending window."""
    at = at or timezone.now()
    follower, _created = ZaloFollower.objects.get_or_create(user_id=user_id[:64], defaults={"created_at": at})
    changed = []
    if interaction and (follower.last_interaction_at is None or follower.last_interaction_at < at):
        follower.last_interaction_at = at
        changed.append("last_interaction_at")
    if user_id_by_app and follower.user_id_by_app != user_id_by_app[:64]:
        follower.user_id_by_app = user_id_by_app[:64]
        changed.append("user_id_by_app")
    if changed:
        follower.save(update_fields=changed)
    return follower


def zalo_follower_set_following(*, user_id: str, following: bool, at: datetime | None = None) -> ZaloFollower:
    at = at or timezone.now()
    follower = zalo_follower_touch(user_id=user_id, at=at, interaction=following)
    follower.is_follower = following
    if following:
        follower.followed_at = at
    else:
        follower.unfollowed_at = at
    follower.save(update_fields=["is_follower", "followed_at", "unfollowed_at"])
    return follower


def zalo_follower_share_info(*, user_id: str, info: dict[str, str], at: datetime | None = None) -> ZaloFollower:
    """Store what the follower chose to share through the "request user info" message. A phone that is not a valid
    Vietnamese mobile number is kept out (officers would otherwise call or text a wrong number)."""
    at = at or timezone.now()
    follower = zalo_follower_touch(user_id=user_id, at=at)
    phone = ""
    if info.get("phone"):
        try:
            phone = phone_normalize(info["phone"])
        except ValidationError:
            phone = ""
    follower.shared_name = info.get("name", "")[:120]
    follower.shared_phone = phone
    follower.shared_address = ", ".join(
        part for part in (info.get("address"), info.get("district"), info.get("city")) if part
    )[:300]
    follower.shared_at = at
    follower.save(update_fields=["shared_name", "shared_phone", "shared_address", "shared_at"])
    return follower


# --- Reminders ------------------------------------------------------------------------------------------------
def reminders_send_due(*, now: datetime | None = None, time_budget: float | None = None) -> int:
    """Queue the day-before reminder of every booked appointment tomorrow, once per appointment and day.

    Runs from beat (or `run_periodic_tasks`) several times a day; only between the configured hours so nobody
    is woken up. The once-only key includes the day, so a moved appointment is reminded of its new day.
    Set-based and chunked (see `apps.notifications.reminders`); returns how many were queued."""
    from .reminders import reminders_run

    return reminders_run(now=now, time_budget=time_budget).queued


def notification_send_appointment_change(
    *, appointment, event: str, previous_starts_at: datetime | None = None, reason: str = ""
) -> Notification | None:
    """Tell the citizen their appointment was moved or cancelled. Matches the `notify` hook of
    `appointment_reschedule` / `appointment_cancel` (called after their transaction commits). `reason`: why an
    officer moved it (a closure), told in the message; a cancellation's reason is the appointment's own."""
    from .selectors import appointment_message_context, citizen_language

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


# --- Zalo OA token --------------------------------------------------------------------------------------------
class ZaloTokenError(Exception):
    pass


ZALO_TOKEN_MARGIN = timedelta(minutes=5)
# This process's copy of the current access token, so a send costs no extra query. If another process rotated
# the pair meanwhile, Zalo answers -124 and zalo_token_refresh finds the new token in the row.
_access_token_memo: dict[str, object] = {}


def _memo(access_token: str, expires_at: datetime | None) -> None:
    _access_token_memo.clear()
    if access_token and expires_at:
        _access_token_memo.update(token=access_token, expires_at=expires_at)


def zalo_token_get() -> str:
    """A valid OA access token, refreshing it first when it is missing or about to expire."""
    expires_at = _access_token_memo.get("expires_at")
    if expires_at and expires_at > timezone.now() + ZALO_TOKEN_MARGIN:
        return str(_access_token_memo["token"])
    token = ZaloToken.objects.filter(oa_key="default").first()
    if (
        token
        and token.access_token_sealed
        and token.expires_at
        and token.expires_at > timezone.now() + (ZALO_TOKEN_MARGIN)
    ):
        try:
            access_token = unseal(token.access_token_sealed)
        except SealError as exc:
            raise ZaloTokenError("the stored token cannot be read (SECRET_KEY changed?)") from exc
        _memo(access_token, token.expires_at)
        return access_token
    return zalo_token_refresh()


def zalo_token_refresh(*, stale_access_token: str | None = None, force: bool = False) -> str:
    """Exchange the refresh token for a new pair, under the token row's lock.

    Refresh tokens are single use and rotate, so the new pair is committed *before* the new access token is
    used; a process that waited for the lock and finds a fresh token (not the one Zalo just refused) uses it
    instead of refreshing again. Any refusal is terminal: an operator grants access again (logged, stored)."""
    error = ""
    with transaction.atomic():
        row = ZaloToken.objects.select_for_update().filter(oa_key="default").first()
        if row is None:
            ZaloToken.objects.get_or_create(oa_key="default")
            row = ZaloToken.objects.select_for_update().get(oa_key="default")
        now = timezone.now()
        current = ""
        if row.access_token_sealed:
            try:
                current = unseal(row.access_token_sealed)
            except SealError:
                current = ""
        fresh = bool(current and row.expires_at and row.expires_at > now + ZALO_TOKEN_MARGIN)
        if fresh and not force and current != stale_access_token:
            _memo(current, row.expires_at)
            return current
        refresh_token = settings.ZALO_REFRESH_TOKEN
        if row.refresh_token_sealed:
            try:
                refresh_token = unseal(row.refresh_token_sealed)
            except SealError:
                refresh_token = ""
        if not refresh_token:
            error = "no refresh token: an OA administrator must grant the app access again"
        else:
            try:
                status, raw = http_post(
                    settings.ZALO_OAUTH_TOKEN_URL,
                    form={
                        "app_id": settings.ZALO_APP_ID,
                        "grant_type": "refresh_token",
                        "refresh_token": refresh_token,
                    },
                    headers={"secret_key": settings.ZALO_APP_SECRET},
                )
            except TransientHTTPError as exc:
                status, raw = 0, str(exc)
            access, new_refresh, expires_in = _parse_token_answer(raw)
            if status == 200 and access and new_refresh:
                row.access_token_sealed = seal(access)
                row.refresh_token_sealed = seal(new_refresh)
                row.expires_at = now + timedelta(seconds=expires_in)
                row.refreshed_at = now
                row.last_error = ""
                row.save()
                logger.info("Zalo OA token refreshed; valid for %s s", expires_in)
                _memo(access, row.expires_at)
                return access
            error = f"HTTP {status}: {raw[:1000]}"
    _memo("", None)
    # Recorded outside the (finished) transaction so the failure is visible to operators in admin.
    ZaloToken.objects.filter(oa_key="default").update(last_error=error)
    logger.error("Zalo OA token refresh failed: %s", error)
    raise ZaloTokenError(error)


def _parse_token_answer(raw: str) -> tuple[str, str, int]:
    try:
        answer = json.loads(raw)
        expires_in = int(answer.get("expires_in") or 0) or 3600
        return str(answer.get("access_token") or ""), str(answer.get("refresh_token") or ""), expires_in
    except (ValueError, AttributeError, TypeError):
        return "", "", 0


def zalo_token_store(*, access_token: str, refresh_token: str, expires_in: int) -> ZaloToken:
    """Save a pair an OA administrator obtained (first grant, or again after the refresh token was lost)."""
    with transaction.atomic():
        row, _created = ZaloToken.objects.select_for_update().get_or_create(oa_key="default")
        row.access_token_sealed = seal(access_token) if access_token else ""
        row.refresh_token_sealed = seal(refresh_token)
        row.expires_at = timezone.now() + timedelta(seconds=expires_in) if access_token else None
        row.refreshed_at = timezone.now()
        row.last_error = ""
        row.save()
    _memo("", None)
    return row


def zalo_token_refresh_if_due() -> bool:
    """Refresh early (the access token lives ~25 h): called hourly by beat. True when it refreshed."""
    if not (settings.ZALO_APP_ID and settings.ZALO_APP_SECRET):
        return False
    row = ZaloToken.objects.filter(oa_key="default").first()
    if row is None and not settings.ZALO_REFRESH_TOKEN:
        return False
    early = timedelta(seconds=settings.ZALO_TOKEN_REFRESH_BEFORE_SECONDS)
    if row and row.expires_at and row.expires_at > timezone.now() + early:
        return False
    try:
        zalo_token_refresh(force=True)
    except ZaloTokenError:
        return False
    return True


# --- Confirmation codes (OTP) ---------------------------------------------------------------------------------
def _otp_hash(*, challenge_id: uuid.UUID, code: str) -> str:
    return salted_hmac("apps.notifications.otp", f"{challenge_id}:{code}", algorithm="sha256").hexdigest()


def _otp_trusted_key(session: str) -> str:
    return f"otp-trusted:{session}"


def otp_issue(*, phone: str, purpose: str, language: str, client: str, session: str | None = None) -> OtpChallenge:
    """Create a 6-digit code valid for a few minutes and send it to `phone`.

    Ceilings (docs/threat-model.md): per phone (a minimum interval and an hourly cap), per browser session
    (`session`, default: the session of the request being served), per client address (`client`; not counted for
    a browser that confirmed a code before, so one abuser behind a shared address cannot block the others who
    are already on their way) and per day for the whole portal."""
    phone = phone_normalize(phone)
    fingerprint = client_fingerprint(client or "unknown")
    session = current_session() if session is None else session
    hour = 3600
    if session and not rate_limit_hit(
        key=f"otp-session:{session}", limit=settings.NOTIFICATIONS_OTP_PER_SESSION_PER_HOUR, window=hour
    ):
        ceiling_trip_record(kind=Kind.OTP, scope=CeilingTrip.Scope.SESSION)
        raise RateLimited(OTP_TOO_MANY_FOR_CLIENT, code="rate_limited")
    trusted = bool(session) and _cache_has(_otp_trusted_key(session))
    per_client = settings.NOTIFICATIONS_OTP_PER_CLIENT_PER_HOUR
    if not trusted and not rate_limit_hit(key=f"otp-client:{fingerprint}", limit=per_client, window=hour):
        ceiling_trip_record(kind=Kind.OTP, scope=CeilingTrip.Scope.CLIENT)
        raise RateLimited(OTP_TOO_MANY_FOR_CLIENT, code="rate_limited")
    if not rate_limit_once(key=f"otp-interval:{phone}", seconds=settings.NOTIFICATIONS_OTP_RESEND_SECONDS):
        raise RateLimited(OTP_TOO_SOON, code="rate_limited")
    if not rate_limit_hit(key=f"otp-phone:{phone}", limit=settings.NOTIFICATIONS_OTP_PER_PHONE_PER_HOUR, window=hour):
        ceiling_trip_record(kind=Kind.OTP, scope=CeilingTrip.Scope.PHONE)
        raise RateLimited(OTP_TOO_MANY_FOR_PHONE, code="rate_limited")
    if not ceiling_daily_allows(kind=Kind.OTP):
        raise RateLimited(OTP_TOO_MANY_TODAY, code="rate_limited")
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    ttl = settings.NOTIFICATIONS_OTP_TTL_SECONDS
    now = timezone.now()
    with transaction.atomic():
        challenge = OtpChallenge(
            created_at=now,
            phone=phone,
            purpose=purpose,
            language=language if language in Language.values else Language.VI,
            client_hash=fingerprint,
            expires_at=now + timedelta(seconds=ttl),
        )
        challenge.code_hash = _otp_hash(challenge_id=challenge.id, code=code)
        challenge.full_clean()
        challenge.save()
        challenge.notification = notification_send(
            kind=Kind.OTP,
            language=challenge.language,
            context={"minutes": ttl // 60},
            phone=phone,
            subject=challenge,
            secret_context={"code": code},
            expires_at=challenge.expires_at,
        )
        challenge.save(update_fields=["notification"])
    return challenge


def _cache_has(key: str) -> bool:
    from django.core.cache import cache

    try:
        return cache.get(key) is not None
    except Exception:
        return False


def _otp_trust_session() -> None:
    """A browser that confirmed a code is no longer counted against its address's budget (for a day)."""
    from django.core.cache import cache

    session = current_session()
    if session:
        try:
            cache.set(_otp_trusted_key(session), 1, 86400)
        except Exception:
            logger.warning("could not remember a confirmed browser: cache unavailable")


def otp_verify(*, challenge: OtpChallenge, code: str) -> None:
    """Accept the code once, or raise ValidationError: wrong (with the tries left), expired, locked, used.

    A wrong try is counted in this function's own transaction before the error is raised, so do not call it
    inside a transaction of your own that the error would roll back."""
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(typed) != OTP_DIGITS or not typed.isdigit():
        raise ValidationError(OTP_FORMAT, code="format")
    error: ValidationError | None = None
    with transaction.atomic():
        row = OtpChallenge.objects.select_for_update().get(pk=challenge.pk)
        now = timezone.now()
        max_tries = settings.NOTIFICATIONS_OTP_MAX_TRIES
        if row.verified_at:
            error = ValidationError(OTP_USED, code="used")
        elif row.failed_attempts >= max_tries:
            error = ValidationError(OTP_LOCKED, code="locked")
        elif now >= row.expires_at:
            error = ValidationError(OTP_EXPIRED, code="expired")
        elif constant_time_compare(row.code_hash, _otp_hash(challenge_id=row.id, code=typed)):
            row.verified_at = now
            row.save(update_fields=["verified_at"])
            _otp_trust_session()
        else:
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            left = max_tries - row.failed_attempts
            if left <= 0:
                error = ValidationError(OTP_LOCKED, code="locked")
            else:
                error = ValidationError(OTP_WRONG, code="wrong", params={"count": left})
    challenge.failed_attempts = row.failed_attempts
    challenge.verified_at = row.verified_at
    if error is not None:
        raise error


def sealed_values_reseal() -> dict[str, int]:
    """Seal every stored secret again with the current data key (after a key rotation). Returns counts only.

    A value no configured key opens is left as it is and counted as unreadable (it stays so until the old key
    is configured again); nothing is logged about its content.
    """
    counts = {"resealed": 0, "unreadable": 0}
    with transaction.atomic():
        for row in Notification.objects.exclude(sealed_context="").select_for_update().only("pk", "sealed_context"):
            try:
                row.sealed_context = reseal(row.sealed_context)
            except SealError:
                counts["unreadable"] += 1
                continue
            Notification.objects.filter(pk=row.pk).update(sealed_context=row.sealed_context)
            counts["resealed"] += 1
        for token in ZaloToken.objects.select_for_update():
            for field in ("access_token_sealed", "refresh_token_sealed"):
                if not getattr(token, field):
                    continue
                try:
                    setattr(token, field, reseal(getattr(token, field)))
                except SealError:
                    counts["unreadable"] += 1
                    continue
                counts["resealed"] += 1
            token.save(update_fields=["access_token_sealed", "refresh_token_sealed"])
    _memo("", None)
    logger.info("Sealed values re-sealed: %(resealed)s, unreadable: %(unreadable)s", counts)
    return counts
