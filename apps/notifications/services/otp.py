"""Confirmation codes (OTP): a 6-digit code sent by the outbox, its ceilings (docs/threat-model.md), and
verifying it once."""

import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from apps.core.ratelimit import client_fingerprint, current_session, rate_limit_hit, rate_limit_once

from ..ceilings import ceiling_daily_allows, ceiling_trip_record
from ..models import CeilingTrip, Kind, Language, OtpChallenge
from .phones import phone_normalize
from .sending import notification_send

logger = logging.getLogger(__name__)

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

OTP_DIGITS = 6


class RateLimited(ValidationError):
    """A ValidationError for a citizen who asks too often (code "rate_limited")."""


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
