"""Ceilings on paid messages (issue 12.3, docs/threat-model.md).

A confirmation code is the only message anyone can have sent to any number, so it is limited per phone (interval
and hourly cap), per browser session, per client address and per day for the whole portal. The other messages
go only to confirmed numbers and follow a booking; moves and cancellations are limited per booking per day, and
every kind has a daily ceiling. A ceiling reached is recorded (`CeilingTrip`) and shown to officers on the
dashboard. Counters live in the cache (`apps.core.ratelimit`: they fail open when the cache is down); the
per-booking count reads the outbox itself.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.core.metrics import refusal_count
from apps.core.ratelimit import rate_limit_hit

from .models import CeilingTrip, Kind, Notification

logger = logging.getLogger(__name__)

# Messages a citizen can cause again and again on one booking.
PER_BOOKING_KINDS = (Kind.APPOINTMENT_MOVED, Kind.APPOINTMENT_CANCELLED)


def daily_cap(kind: str) -> int:
    return settings.NOTIFICATIONS_DAILY_CAP.get(kind, settings.NOTIFICATIONS_DAILY_CAP_DEFAULT)


def ceiling_trip_record(*, kind: str, scope: str) -> None:
    """Count one refused message for the dashboard (never fails the caller)."""
    now = timezone.now()
    day = timezone.localdate(now)
    logger.warning("Message ceiling reached: %s per %s", kind, scope)
    try:
        with transaction.atomic():
            updated = CeilingTrip.objects.filter(day=day, kind=kind, scope=scope).update(
                count=models.F("count") + 1, last_at=now
            )
            if not updated:
                try:
                    with transaction.atomic():
                        CeilingTrip.objects.create(day=day, kind=kind, scope=scope, count=1, first_at=now, last_at=now)
                except IntegrityError:
                    CeilingTrip.objects.filter(day=day, kind=kind, scope=scope).update(
                        count=models.F("count") + 1, last_at=now
                    )
    except Exception:  # an alert must never break the citizen's request
        logger.exception("Could not record a message ceiling")


def ceiling_daily_allows(*, kind: str) -> bool:
    """Count one message of `kind` today, the whole portal together; False (and recorded) past the ceiling."""
    day = timezone.localdate()
    cap = daily_cap(kind)
    if cap > 0 and rate_limit_hit(key=f"msg-daily:{kind}:{day:%Y%m%d}", limit=cap, window=2 * 86400):
        return True
    if cap <= 0:  # (past a positive cap, rate_limit_hit has counted the refusal)
        refusal_count(limit="msg-daily")
    ceiling_trip_record(kind=kind, scope=CeilingTrip.Scope.GLOBAL)
    return False


def ceiling_booking_allows(*, kind: str, subject: models.Model | None) -> bool:
    """Moves and cancellations of one booking are messaged at most NOTIFICATIONS_PER_BOOKING_PER_DAY times a day."""
    if kind not in PER_BOOKING_KINDS or subject is None:
        return True
    sent = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        kind__in=PER_BOOKING_KINDS,
        created_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    if sent < settings.NOTIFICATIONS_PER_BOOKING_PER_DAY:
        return True
    refusal_count(limit="msg-booking")
    ceiling_trip_record(kind=kind, scope=CeilingTrip.Scope.BOOKING)
    return False
