"""Conversations through the Zalo Official Account: chat messages become reports, officers reply in the chat.

* Messages from one follower less than ZALO_CONVERSATION_GAP_MINUTES apart form one conversation, kept as
  ChatEntry rows on one Report (the unit's queue sees one report, not one per message).
* A flood cannot fill the queue: a follower opens at most ZALO_NEW_CONVERSATIONS_PER_DAY reports a day (beyond,
  messages join the latest one), a conversation keeps ZALO_CONVERSATION_MAX_ENTRIES messages (beyond, they are
  only counted) and copies ZALO_CONVERSATION_MAX_IMAGES images.
* Replies and requests for contact details go through the notifications outbox (retries, fallback to the phone,
  delivery log); each is written to the back office's audit log.
* Nothing a citizen wrote is ever logged: log lines carry ids and counts only.

What the platform sends is read through apps.notifications.zalo_api, where the unconfirmed facts live.
"""

import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.backoffice.models import AuditAction
from apps.backoffice.services import audit_record
from apps.core.codes import code_format
from apps.news.images import image_reencode, image_validate
from apps.notifications import zalo_api
from apps.notifications.models import Kind, ZaloFollower
from apps.notifications.services import (
    notification_mark_delivered,
    notification_send,
    zalo_follower_set_following,
    zalo_follower_share_info,
    zalo_follower_touch,
    zalo_window_is_open,
)

from .models import (
    OPEN_STATUSES,
    ChatDirection,
    ChatEntry,
    ChatKind,
    Report,
    ReportCategory,
    ReportPhoto,
    ReportSource,
    ReportStatus,
)

logger = logging.getLogger(__name__)

REPLY_REQUIRED = _("Write the reply to the citizen.")
REPLY_TOO_LONG = _("A Zalo reply can hold at most %(limit)d characters; shorten it or split it in two.")
NOT_A_ZALO_REPORT = _("This report did not come through Zalo chat: answer it with “Answer the reporter”.")
CANNOT_REACH = _(
    "The citizen has not written to the Official Account for more than 7 days and gave no phone number, so Zalo "
    "no longer lets the police write to them. The reply was not sent."
)
CONTACT_OUTSIDE_WINDOW = _(
    "The citizen has not written to the Official Account for more than 7 days: Zalo no longer lets the police "
    "ask for contact details in the chat."
)
KIND_PLACEHOLDER = {
    ChatKind.IMAGE: _("[image]"),
    ChatKind.FILE: _("[file]"),
    ChatKind.LOCATION: _("[location]"),
    ChatKind.STICKER: _("[sticker]"),
    ChatKind.LINK: _("[link]"),
    ChatKind.AUDIO: _("[voice message]"),
    ChatKind.VIDEO: _("[video]"),
}


@dataclass(frozen=True)
class EventResult:
    """What the webhook answers Zalo (no personal data): the status word and, for chat messages, the report."""

    status: str
    report: Report | None = None


# --- Incoming events ------------------------------------------------------------------------------------------
def zalo_event_handle(*, event: dict, now: datetime | None = None) -> EventResult:
    """Dispatch one verified webhook event. Idempotent: Zalo delivers at least once."""
    now = now or timezone.now()
    name = str(event.get("event_name", ""))
    user_id = zalo_api.event_user_id(event)
    if name in zalo_api.USER_MESSAGE_EVENTS:
        if not user_id:
            return EventResult("ignored")
        return chat_message_receive(event=event, kind=zalo_api.USER_MESSAGE_EVENTS[name], user_id=user_id, now=now)
    if name in {zalo_api.FOLLOW_EVENT, zalo_api.UNFOLLOW_EVENT} and user_id:
        zalo_follower_set_following(user_id=user_id, following=name == zalo_api.FOLLOW_EVENT, at=now)
        return EventResult("recorded")
    if name == zalo_api.USER_SUBMIT_INFO_EVENT and user_id:
        return _contact_shared(event=event, user_id=user_id, now=now)
    if name == zalo_api.DELIVERY_RECEIPT_EVENT:
        ms = zalo_api.receipt_delivery_ms(event)
        delivered_at = datetime.fromtimestamp(ms / 1000, tz=timezone.get_current_timezone()) if ms else now
        if abs(delivered_at - now) > timedelta(days=30):
            delivered_at = now
        found = notification_mark_delivered(tracking_id=zalo_api.receipt_tracking_id(event), delivered_at=delivered_at)
        return EventResult("delivered" if found else "unknown")
    return EventResult("ignored")


def _follower_locked(*, user_id: str, now: datetime, user_id_by_app: str = "") -> ZaloFollower:
    """The follower's row, created if new and locked: one follower's events are handled one at a time, so two
    messages arriving together cannot open two conversations."""
    zalo_follower_touch(user_id=user_id, at=now, user_id_by_app=user_id_by_app)
    return ZaloFollower.objects.select_for_update().get(user_id=user_id)


def _conversation_for(*, user_id: str, now: datetime) -> Report | None:
    """The follower's conversation that a message at `now` joins, or None when a new one starts."""
    reports = Report.objects.filter(source=ReportSource.ZALO, zalo_user_id=user_id)
    gap = timedelta(minutes=settings.ZALO_CONVERSATION_GAP_MINUTES)
    current = (
        reports.filter(last_message_at__gte=now - gap).exclude(status=ReportStatus.CLOSED).order_by("-last_message_at")
    ).first()
    if current is not None:
        return current
    if reports.filter(created_at__gte=now - timedelta(days=1)).count() >= settings.ZALO_NEW_CONVERSATIONS_PER_DAY:
        # A flood: no new report in the queue; the message joins the follower's latest conversation.
        return reports.order_by("-created_at").first()
    return None


def _entry_fields(*, message: dict, kind: str) -> dict:
    text = str(message.get("text", "") or "")[:4000]
    fields: dict = {"text": text}
    attachments = zalo_api.event_attachments(message)
    first = attachments[0] if attachments else {}
    if kind == ChatKind.LOCATION:
        coordinates = zalo_api.attachment_coordinates(first) if first else None
        if coordinates:
            fields["latitude"] = Decimal(f"{coordinates[0]:.6f}")
            fields["longitude"] = Decimal(f"{coordinates[1]:.6f}")
    elif first:
        url = zalo_api.attachment_url(first)
        if url.startswith(("https://", "http://")):
            fields["url"] = url
        payload = first.get("payload") if isinstance(first.get("payload"), dict) else {}
        if not text and isinstance(payload.get("description"), str):
            fields["text"] = payload["description"][:4000]
    return fields


def chat_message_receive(*, event: dict, kind: str, user_id: str, now: datetime) -> EventResult:
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    msg_id = str(message.get("msg_id", "")).strip()[:64]
    if not msg_id:
        return EventResult("ignored")
    existing = ChatEntry.objects.filter(msg_id=msg_id).select_related("report").first()
    if existing is not None:
        return EventResult("duplicate", existing.report)
    legacy = Report.objects.filter(zalo_msg_id=msg_id).first()  # filed before conversations existed
    if legacy is not None:
        return EventResult("duplicate", legacy)
    fields = _entry_fields(message=message, kind=kind)
    try:
        with transaction.atomic():
            _follower_locked(user_id=user_id, now=now, user_id_by_app=str(event.get("user_id_by_app", "")))
            report = _conversation_for(user_id=user_id, now=now)
            created = report is None
            if created:
                report = _report_open(user_id=user_id, msg_id=msg_id, first_text=fields["text"], kind=kind, now=now)
            else:
                report = Report.objects.select_for_update().get(pk=report.pk)
            if not created and report.chat.count() >= settings.ZALO_CONVERSATION_MAX_ENTRIES:
                Report.objects.filter(pk=report.pk).update(
                    dropped_messages=report.dropped_messages + 1, last_message_at=now
                )
                logger.warning("Zalo chat: conversation %s is full; a message was counted, not kept", report.pk)
                return EventResult("dropped", report)
            entry = ChatEntry.objects.create(
                report=report, direction=ChatDirection.IN, kind=kind, msg_id=msg_id, created_at=now, **fields
            )
            if not created:
                updates = {"last_message_at": now}
                if kind == ChatKind.TEXT and fields["text"] and report.description in _placeholders():
                    updates["description"] = fields["text"].strip() or report.description
                Report.objects.filter(pk=report.pk).update(**updates)
            earlier_images = report.chat.filter(kind=ChatKind.IMAGE).exclude(url="").exclude(pk=entry.pk).count()
            if kind == ChatKind.IMAGE and entry.url and earlier_images < settings.ZALO_CONVERSATION_MAX_IMAGES:
                from .tasks import fetch_chat_image

                fetch_chat_image.delay_on_commit(entry.pk)
    except IntegrityError:
        # The same event arrived twice at once: the other request stored it.
        entry = ChatEntry.objects.filter(msg_id=msg_id).select_related("report").first()
        return EventResult("duplicate", entry.report if entry else None)
    return EventResult("filed" if created else "added", report)


def _placeholders() -> set[str]:
    return {str(label) for label in KIND_PLACEHOLDER.values()} | {"—"}


def _report_open(*, user_id: str, msg_id: str, first_text: str, kind: str, now: datetime) -> Report:
    from .services import _district_unit, _new_code, _record, report_target_hours

    description = first_text.strip() or str(KIND_PLACEHOLDER.get(kind, "—"))
    report = Report(
        code=_new_code(),
        category=ReportCategory.OTHER,
        description=description[:4000],
        unit=_district_unit(),
        is_anonymous=False,
        source=ReportSource.ZALO,
        zalo_msg_id=msg_id,
        zalo_user_id=user_id,
        created_at=now,
        confirmed_at=now,
        last_message_at=now,
        due_at=now + timedelta(hours=report_target_hours(category=ReportCategory.OTHER)),
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    _record(report, from_status="", note=str(_("Received through Zalo chat.")))
    return report


def _contact_shared(*, event: dict, user_id: str, now: datetime) -> EventResult:
    info = zalo_api.submitted_info(event)
    with transaction.atomic():
        follower = zalo_follower_share_info(user_id=user_id, info=info, at=now)
        report = (
            Report.objects.select_for_update()
            .filter(source=ReportSource.ZALO, zalo_user_id=user_id, status__in=OPEN_STATUSES)
            .order_by("-last_message_at", "-created_at")
            .first()
        )
        if report is None:
            return EventResult("recorded")
        ChatEntry.objects.create(
            report=report,
            direction=ChatDirection.IN,
            kind=ChatKind.CONTACT_SHARED,
            text=" · ".join(part for part in (follower.shared_name, follower.shared_phone) if part),
            created_at=now,
        )
        changed = []
        if follower.shared_phone and not report.contact_phone:
            report.contact_phone = follower.shared_phone
            changed.append("contact_phone")
        if follower.shared_name and not report.contact_name:
            report.contact_name = follower.shared_name
            changed.append("contact_name")
        if changed:
            report.save(update_fields=[*changed, "updated_at"])
    return EventResult("recorded", report)


# --- Images sent in the chat ----------------------------------------------------------------------------------
def _media_url_allowed(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    schemes = {"https", "http"} if settings.ZALO_MEDIA_ALLOW_HTTP else {"https"}
    host = (parts.hostname or "").lower()
    return parts.scheme in schemes and any(
        host == allowed or host.endswith("." + allowed) for allowed in settings.ZALO_MEDIA_HOSTS
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead anywhere: only the host Zalo named is fetched


def chat_image_fetch(*, entry_id: int) -> ReportPhoto | None:
    """Copy an image sent in the chat from Zalo's servers to the reports' private storage, re-encoded without
    metadata. Only https URLs on ZALO_MEDIA_HOSTS, at most ZALO_MEDIA_MAX_BYTES, real images."""
    entry = ChatEntry.objects.select_related("report").filter(pk=entry_id, kind=ChatKind.IMAGE).first()
    if entry is None or entry.photo_id or not entry.url:
        return None
    if not _media_url_allowed(entry.url):
        logger.warning("Zalo chat image %s not fetched: its host is not in ZALO_MEDIA_HOSTS", entry.pk)
        return None
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(entry.url, timeout=settings.NOTIFICATIONS_HTTP_TIMEOUT) as response:
            data = response.read(settings.ZALO_MEDIA_MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        logger.warning("Zalo chat image %s not fetched: %s", entry.pk, type(exc).__name__)
        raise
    if len(data) > settings.ZALO_MEDIA_MAX_BYTES:
        logger.warning("Zalo chat image %s not kept: larger than ZALO_MEDIA_MAX_BYTES", entry.pk)
        return None
    upload = SimpleUploadedFile("chat.jpg", data)
    try:
        image_validate(upload=upload, max_bytes=settings.ZALO_MEDIA_MAX_BYTES)
    except ValidationError:
        logger.warning("Zalo chat image %s not kept: not an image", entry.pk)
        return None
    clean = image_reencode(
        upload=BytesIO(data), max_width=settings.REPORTS_PHOTO_MAX_WIDTH, name=f"{uuid.uuid4().hex}.jpg"
    )
    with transaction.atomic():
        photo = ReportPhoto.objects.create(
            report=entry.report, image=clean.content, width=clean.width, height=clean.height
        )
        ChatEntry.objects.filter(pk=entry.pk).update(photo=photo)
    return photo


# --- Officers writing back --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplyRoute:
    """How a reply would reach the citizen now: in the chat, by phone (outside Zalo's window), or not at all."""

    in_chat: bool
    phone: str

    @property
    def reachable(self) -> bool:
        return self.in_chat or bool(self.phone)


def report_reply_route(*, report: Report, now: datetime | None = None) -> ReplyRoute:
    phone = str(report.contact_phone or "")
    if not phone and report.zalo_user_id:
        phone = (
            ZaloFollower.objects.filter(user_id=report.zalo_user_id).values_list("shared_phone", flat=True).first()
            or ""
        )
    in_chat = bool(report.zalo_user_id) and zalo_window_is_open(user_id=report.zalo_user_id, now=now)
    return ReplyRoute(in_chat=in_chat, phone=phone)


def _check_zalo_report(report: Report, actor) -> None:
    from .services import _check_handler_or_supervisor

    _check_handler_or_supervisor(report, actor)
    if report.source != ReportSource.ZALO or not report.zalo_user_id:
        raise ValidationError(NOT_A_ZALO_REPORT, code="not_zalo")


def _write_back(*, report: Report, actor, kind: str, chat_kind: str, text: str = "", phone: str = "") -> ChatEntry:
    """Queue one outbox message to the follower (and their phone, for the fallback), keep it in the conversation
    and in the audit log."""
    context = {"reference": code_format(report.code)}
    if text:
        context["text"] = text
    notification = notification_send(
        kind=kind,
        language=report.language,
        context=context,
        phone=phone or None,
        zalo_user_id=report.zalo_user_id,
        subject=report,
    )
    entry = ChatEntry.objects.create(
        report=report, direction=ChatDirection.OUT, kind=chat_kind, text=text, notification=notification, actor=actor
    )
    detail = f"Zalo {ChatKind(chat_kind).name.lower().replace('_', ' ')}, message {notification.pk}"
    audit_record(user=actor, action=AuditAction.CHANGE, obj=report, detail=detail)
    return entry


@transaction.atomic
def report_reply(*, report: Report, actor, text: str) -> ChatEntry:
    """A handler's reply in the conversation: an OA consultation message inside Zalo's window, otherwise ZNS/SMS
    to the phone the citizen gave; refused (with the reason) when neither can reach them."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_zalo_report(report, actor)
    text = text.strip()
    if not text:
        raise ValidationError({"text": REPLY_REQUIRED}, code="reply_required")
    if len(text) > zalo_api.CS_TEXT_MAX - 200:  # room for the reference and the "is it us?" footer
        raise ValidationError(
            {"text": REPLY_TOO_LONG}, code="reply_too_long", params={"limit": zalo_api.CS_TEXT_MAX - 200}
        )
    route = report_reply_route(report=report)
    if not route.reachable:
        raise ValidationError(CANNOT_REACH, code="unreachable")
    return _write_back(
        report=report, actor=actor, kind=Kind.REPORT_REPLY, chat_kind=ChatKind.REPLY, text=text, phone=route.phone
    )


@transaction.atomic
def report_request_contact(*, report: Report, actor) -> ChatEntry:
    """Ask the follower, in the chat, to share name and phone (the OA's "request user info" message)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _check_zalo_report(report, actor)
    if not zalo_window_is_open(user_id=report.zalo_user_id):
        raise ValidationError(CONTACT_OUTSIDE_WINDOW, code="outside_window")
    return _write_back(report=report, actor=actor, kind=Kind.CONTACT_REQUEST, chat_kind=ChatKind.CONTACT_REQUEST)
