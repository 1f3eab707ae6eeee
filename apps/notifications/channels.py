"""Delivery channels. Each is a small client of one provider's real API; endpoints and credentials come from
settings (and so from the environment), which is how tests point them at fake servers on 127.0.0.1.

A channel answers with a `SendResult`: SENT (the provider accepted it), TRANSIENT (worth retrying later:
network errors, 5xx, "try again") or PERMANENT (this channel will never deliver it: invalid number, template
refused, channel misconfigured); the delivery service retries the first and falls back to the next channel on
the last. Provider answers are kept for operators; request bodies (which hold the text, maybe a code) are not.
"""

import json
import logging
import smtplib
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from . import zalo_api
from .models import Channel, Outcome

logger = logging.getLogger(__name__)
ANSWER_MAX = 2000


@dataclass
class Message:
    notification_id: int
    kind: str
    language: str
    phone: str  # E.164, e.g. +84912345678
    email: str
    subject: str
    text: str
    idempotency_key: str
    zns_template_id: str = ""
    template_data: dict[str, str] = field(default_factory=dict)
    # A follower of the Official Account (OA consultation messages): their OA-scoped id, whether the sending
    # window is open (apps.notifications.zalo_api.CS_WINDOW) and an optional attachment (request user info).
    zalo_user_id: str = ""
    zalo_window_open: bool = False
    oa_attachment: dict | None = None


@dataclass
class SendResult:
    outcome: str
    provider_message_id: str = ""
    answer: str = ""
    # A permanent refusal that is the operator's to fix (bad key, template not approved), not the citizen's.
    alert: bool = False
    # Why a permanent refusal happened, for officers (DeliveryAttempt.reason): outside_window, not_follower…
    reason: str = ""

    @classmethod
    def sent(cls, provider_message_id: str = "", answer: str = "") -> "SendResult":
        return cls(Outcome.SENT, provider_message_id, answer[:ANSWER_MAX])

    @classmethod
    def transient(cls, answer: str) -> "SendResult":
        return cls(Outcome.TRANSIENT, "", answer[:ANSWER_MAX])

    @classmethod
    def permanent(cls, answer: str, *, alert: bool = False, reason: str = "") -> "SendResult":
        return cls(Outcome.PERMANENT, "", answer[:ANSWER_MAX], alert, reason)


class TransientHTTPError(Exception):
    pass


def phone_digits(phone_e164: str) -> str:
    """+84912345678 -> 84912345678, the form Zalo and the SMS gateways take."""
    return phone_e164.lstrip("+")


def http_post(url: str, *, json_body=None, form=None, headers=None) -> tuple[int, str]:
    """POST and return (status, body). Network errors and timeouts raise TransientHTTPError."""
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        content_type = "application/json; charset=utf-8"
    else:
        data = urllib.parse.urlencode(form or {}).encode()
        content_type = "application/x-www-form-urlencoded"
    request = urllib.request.Request(  # noqa: S310 - operator-configured https endpoints
        url, data=data, method="POST", headers={"Content-Type": content_type, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFICATIONS_HTTP_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientHTTPError(f"{type(exc).__name__}: {exc}") from exc


class BaseChannel:
    name: str = ""

    def is_configured(self) -> bool:
        raise NotImplementedError

    def can_send(self, message: Message) -> bool:
        raise NotImplementedError

    def send(self, message: Message) -> SendResult:
        raise NotImplementedError


# --- The embedded default -----------------------------------------------------------------------------------
class OutboxChannel(BaseChannel):
    name = Channel.OUTBOX

    def is_configured(self) -> bool:
        return True

    def can_send(self, message: Message) -> bool:
        return bool(message.phone or message.email or message.zalo_user_id)

    def send(self, message: Message) -> SendResult:
        from .models import OutboxMessage

        recipient = message.phone or message.email or f"Zalo …{message.zalo_user_id[-6:]}"
        stored, created = OutboxMessage.objects.get_or_create(
            notification_id=message.notification_id,
            defaults={"recipient": recipient, "subject": message.subject, "body": message.text},
        )
        return SendResult.sent(f"outbox-{stored.pk}", "stored" if created else "already stored")


# --- E-mail ---------------------------------------------------------------------------------------------------
class EmailChannel(BaseChannel):
    name = Channel.EMAIL

    def is_configured(self) -> bool:
        return bool(settings.EMAIL_HOST)

    def can_send(self, message: Message) -> bool:
        return bool(message.email)

    def send(self, message: Message) -> SendResult:
        # The Message-ID is derived from the idempotency key: a repeat after a lost answer is recognisable.
        message_id = make_msgid(idstring=message.idempotency_key, domain=settings.NOTIFICATIONS_EMAIL_DOMAIN)
        email = EmailMessage(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.email],
            headers={"Message-ID": message_id},
            connection=get_connection(timeout=settings.NOTIFICATIONS_HTTP_TIMEOUT),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            return SendResult.permanent(f"recipient refused: {exc.recipients}")
        except smtplib.SMTPResponseException as exc:
            answer = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            return SendResult.permanent(answer) if 500 <= exc.smtp_code < 600 else SendResult.transient(answer)
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult.transient(f"{type(exc).__name__}: {exc}")
        return SendResult.sent(message_id, "accepted by the SMTP server")


# --- SMS ------------------------------------------------------------------------------------------------------
class SmsBackend:
    """Pluggable SMS gateway: `send(phone_e164, text, *, idempotency_key) -> SendResult`."""

    def is_configured(self) -> bool:
        raise NotImplementedError

    def send(self, phone_e164: str, text: str, *, idempotency_key: str) -> SendResult:
        raise NotImplementedError


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics, for non-Unicode SMS (one segment holds 160 characters instead of 70)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class EsmsBackend(SmsBackend):
    """eSMS.vn customer-care brandname SMS (SmsType 2). `RequestId` makes a repeated request a no-op (code 124)."""

    # Codes that a retry can fix; every other non-100 code is a refusal.
    TRANSIENT_CODES = {"103"}  # insufficient balance: an operator tops up, the retries then go through
    RECIPIENT_CODES = {"99", "108", "177"}  # phone blocked, bad phone format, carrier not registered

    def is_configured(self) -> bool:
        return bool(settings.ESMS_API_KEY and settings.ESMS_SECRET_KEY)

    def send(self, phone_e164: str, text: str, *, idempotency_key: str) -> SendResult:
        body = {
            "ApiKey": settings.ESMS_API_KEY,
            "SecretKey": settings.ESMS_SECRET_KEY,
            "Phone": phone_digits(phone_e164),
            "Content": text if settings.SMS_UNICODE else ascii_text(text),
            "Brandname": settings.ESMS_BRANDNAME,
            "SmsType": "2",
            "IsUnicode": "1" if settings.SMS_UNICODE else "0",
            "Sandbox": "1" if settings.ESMS_SANDBOX else "0",
            "RequestId": idempotency_key,
        }
        try:
            status, raw = http_post(settings.ESMS_API_URL, json_body=body)
        except TransientHTTPError as exc:
            return SendResult.transient(str(exc))
        if status >= 500 or status == 429:
            return SendResult.transient(f"HTTP {status}: {raw}")
        try:
            answer = json.loads(raw)
            code = str(answer.get("CodeResult", ""))
        except (ValueError, AttributeError):
            return SendResult.transient(f"HTTP {status}, unreadable answer: {raw}")
        if code == "100":
            return SendResult.sent(str(answer.get("SMSID", "")), raw)
        if code == "124":
            # Duplicate RequestId: the gateway already accepted this very message (our earlier answer was lost).
            return SendResult.sent(str(answer.get("SMSID", "")), raw)
        if code in self.TRANSIENT_CODES:
            return SendResult.transient(raw)
        return SendResult.permanent(raw, alert=code not in self.RECIPIENT_CODES)


class SmsChannel(BaseChannel):
    name = Channel.SMS

    def __init__(self):
        self.backend: SmsBackend = import_string(settings.SMS_BACKEND)()

    def is_configured(self) -> bool:
        return self.backend.is_configured()

    def can_send(self, message: Message) -> bool:
        return bool(message.phone)

    def send(self, message: Message) -> SendResult:
        return self.backend.send(message.phone, message.text, idempotency_key=message.idempotency_key)


# --- Zalo ZNS -------------------------------------------------------------------------------------------------
ZNS_TOKEN_INVALID = -124
# The recipient cannot get this message on Zalo (invalid number, no Zalo account, opted out, old app): use SMS.
ZNS_RECIPIENT_ERRORS = {-108, -110, -114, -118, -119, -139, -141}
# Worth retrying later: unknown error, rate limited, night-time restriction.
ZNS_TRANSIENT_ERRORS = {-100, -32, -133}


def with_oa_token(post, *, invalid_token_errors: set[int] | frozenset[int]) -> SendResult:
    """Call `post(token) -> (SendResult, zalo error code)` with the OA access token; when Zalo says the token is
    invalid, refresh once and retry once (the token may have been revoked or refreshed by another process)."""
    from .services.zalo_token import ZaloTokenError, zalo_token_get, zalo_token_refresh

    try:
        token = zalo_token_get()
    except ZaloTokenError as exc:
        return SendResult.permanent(f"no usable Zalo OA token: {exc}", alert=True)
    result, error = post(token)
    if error in invalid_token_errors:
        try:
            token = zalo_token_refresh(stale_access_token=token)
        except ZaloTokenError as exc:
            return SendResult.permanent(f"access token refused and refresh failed: {exc}", alert=True)
        result, error = post(token)
        if error in invalid_token_errors:
            return SendResult.permanent(result.answer, alert=True)
    return result


def zalo_answer(status: int, raw: str) -> tuple[dict | None, int | None, SendResult | None]:
    """Read Zalo's `{"error": n, ...}` answer (errors come with HTTP 200). Returns (answer, error, None), or
    (None, None, a transient result) for 5xx, 429 and unreadable answers."""
    if status >= 500 or status == 429:
        return None, None, SendResult.transient(f"HTTP {status}: {raw}")
    try:
        answer = json.loads(raw)
        return answer, int(answer.get("error")), None
    except (ValueError, TypeError, AttributeError):
        return None, None, SendResult.transient(f"HTTP {status}, unreadable answer: {raw}")


class ZnsChannel(BaseChannel):
    """ZNS template message by phone. Uses the OA access token from the database, refreshing it when needed."""

    name = Channel.ZNS

    def is_configured(self) -> bool:
        return bool(settings.ZALO_APP_ID and settings.ZALO_APP_SECRET)

    def can_send(self, message: Message) -> bool:
        return bool(message.phone and message.zns_template_id)

    def send(self, message: Message) -> SendResult:
        return with_oa_token(lambda token: self._post(message, token), invalid_token_errors={ZNS_TOKEN_INVALID})

    def _post(self, message: Message, token: str) -> tuple[SendResult, int | None]:
        body = {
            "phone": phone_digits(message.phone),
            "template_id": message.zns_template_id,
            "template_data": message.template_data,
            "tracking_id": message.idempotency_key,
        }
        if settings.ZALO_ZNS_DEVELOPMENT_MODE:
            body["mode"] = "development"
        try:
            status, raw = http_post(settings.ZALO_ZNS_URL, json_body=body, headers={"access_token": token})
        except TransientHTTPError as exc:
            return SendResult.transient(str(exc)), None
        answer, error, unreadable = zalo_answer(status, raw)
        if unreadable:
            return unreadable, None
        if error == 0:
            data = answer.get("data") or {}
            quota = (data.get("quota") or {}).get("remainingQuota")
            if quota is not None:
                logger.info("ZNS accepted notification %s; remaining daily quota %s", message.notification_id, quota)
            return SendResult.sent(str(data.get("msg_id", "")), raw), 0
        if error in ZNS_TRANSIENT_ERRORS:
            return SendResult.transient(raw), error
        return SendResult.permanent(raw, alert=error not in ZNS_RECIPIENT_ERRORS), error


# --- Zalo OA consultation message -----------------------------------------------------------------------------
class ZaloOaChannel(BaseChannel):
    """A consultation ("tư vấn") message to a follower who wrote to the Official Account (zalo_api.CS_MESSAGE_PATH).

    Outside the sending window it refuses without calling Zalo, so the message falls back to ZNS/SMS when the
    citizen gave a phone. Zalo documents no idempotency key for these messages: the outbox's claim under a row
    lock is what keeps a retry from sending twice (a send whose answer is lost may, rarely, arrive twice)."""

    name = Channel.ZALO_OA

    def is_configured(self) -> bool:
        return bool(settings.ZALO_APP_ID and settings.ZALO_APP_SECRET)

    def can_send(self, message: Message) -> bool:
        return bool(message.zalo_user_id)

    def send(self, message: Message) -> SendResult:
        if not message.zalo_window_open:
            return SendResult.permanent(
                "the follower's last interaction is older than the OA's sending window", reason="outside_window"
            )
        return with_oa_token(lambda token: self._post(message, token), invalid_token_errors=zalo_api.OA_TOKEN_ERRORS)

    def _post(self, message: Message, token: str) -> tuple[SendResult, int | None]:
        body = {
            "recipient": {"user_id": message.zalo_user_id},
            "message": {"text": message.text[: zalo_api.CS_TEXT_MAX]},
        }
        if message.oa_attachment:
            body["message"]["attachment"] = message.oa_attachment
        url = settings.ZALO_OA_API_URL.rstrip("/") + zalo_api.CS_MESSAGE_PATH
        try:
            status, raw = http_post(url, json_body=body, headers={"access_token": token})
        except TransientHTTPError as exc:
            return SendResult.transient(str(exc)), None
        answer, error, unreadable = zalo_answer(status, raw)
        if unreadable:
            return unreadable, None
        if error == 0:
            data = answer.get("data") or {}
            return SendResult.sent(str(data.get("message_id", "")), raw), 0
        if error in zalo_api.OA_TRANSIENT:
            return SendResult.transient(raw), error
        if error in zalo_api.OA_OUTSIDE_WINDOW:
            return SendResult.permanent(raw, reason="outside_window"), error
        if error == zalo_api.OA_NOT_FOLLOWER:
            return SendResult.permanent(raw, reason="not_follower"), error
        if error in zalo_api.OA_TOKEN_ERRORS:
            return SendResult.permanent(raw, alert=True), error
        return SendResult.permanent(raw, reason="refused"), error


CHANNEL_CLASSES: dict[str, type[BaseChannel]] = {
    Channel.ZALO_OA: ZaloOaChannel,
    Channel.ZNS: ZnsChannel,
    Channel.SMS: SmsChannel,
    Channel.EMAIL: EmailChannel,
    Channel.OUTBOX: OutboxChannel,
}


def channel_get(name: str) -> BaseChannel:
    return CHANNEL_CLASSES[name]()
