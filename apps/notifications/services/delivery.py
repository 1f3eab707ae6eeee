"""Delivery: `notification_deliver` (run by the task, by the periodic sweep, or in-process on the embedded
default) claims the row, tries the channels in the kind's fallback order and records every answer. The row, not the
broker, is the source of truth: a lost task, a dead worker or a broker that was down only delay a message; the sweep
picks it up again. Retry policy after GOV.UK Notify: temporary failures are retried with exponential backoff and
jitter for hours (NOTIFICATIONS_RETRY_WINDOW_SECONDS), then the row becomes a technical failure for operators to see;
refusals are never retried and go to the next channel. Delivery receipts are recorded here too."""

import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .. import zalo_api
from ..channels import Message, SendResult, channel_get
from ..crypto import SealError, unseal
from ..models import Channel, DeliveryAttempt, Kind, Language, MessageTemplate, Notification, Outcome, Status
from ..templating import DEFAULTS, MASK, placeholders_in, render_text
from .followers import zalo_window_is_open

logger = logging.getLogger(__name__)


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
    full = {**notification.context, **hidden}
    # One code per message (issue 11.6): the text carries only the code the citizen needs (the filing or tracking
    # code, or the one-time confirmation code), no footer with a second "check code". Whether a message is ours is
    # checked at /kiem-tra-tin-nhan/ with that code and the phone that received it (selectors.notification_verify).
    text = render_text(body, full)
    masked = render_text(body, {**notification.context, **dict.fromkeys(hidden, MASK)})
    # Zalo refuses parameters its approved template does not declare: the ZNS template is registered with the
    # placeholders of this text (same names), and only those are sent.
    try:
        wanted = set(placeholders_in(body))
    except ValueError:
        wanted = set(full)
    template_data = {key: str(full.get(key) if full.get(key) is not None else "") for key in sorted(wanted)}
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
    from ..tasks import deliver_notification as deliver_notification_task

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
