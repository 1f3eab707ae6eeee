from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.codes import code_is_valid, code_normalize

from .models import Language, Notification, OtpChallenge, OutboxMessage, Status


def otp_challenge_get(*, challenge_id) -> OtpChallenge | None:
    """The challenge a journey kept in its session (by id), or None when it no longer exists."""
    try:
        return OtpChallenge.objects.filter(pk=challenge_id).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id from a tampered session
        return None


def outbox_message_list(*, limit: int = 50) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.select_related("notification").order_by("-created_at", "-id")[:limit]


@dataclass(frozen=True)
class VerifiedMessage:
    kind_label: str
    sent_at: datetime


def notification_verify(*, code: str, phone: str | None = None) -> VerifiedMessage | None:
    """Whether the portal sent a message with this verification code (and, if given, to this phone).

    Reveals only the kind and the time; a message that was never delivered counts as not sent by us."""
    code = code_normalize(code)
    if not code_is_valid(code):
        return None
    found = Notification.objects.filter(verification_code=code, status__in=[Status.SENT, Status.SENDING])
    if phone:
        found = found.filter(phone=phone)
    notification = found.only("kind", "sent_at", "last_attempt_at").first()
    if notification is None:
        return None
    return VerifiedMessage(
        kind_label=str(notification.get_kind_display()),
        sent_at=notification.sent_at or notification.last_attempt_at or notification.created_at,
    )


@dataclass
class ReminderDue:
    appointment: object
    phone: str
    language: str
    starts_at: datetime
    day: date
    context: dict


def citizen_language(*, phone: str, reference: str = "") -> str:
    """The language the citizen used with us: that of the latest message to this phone (their own choice)."""
    messages = Notification.objects.filter(phone=phone).order_by("-created_at")
    if reference:
        by_reference = messages.filter(context__reference=reference).values_list("language", flat=True).first()
        if by_reference:
            return by_reference
    return messages.values_list("language", flat=True).first() or Language.VI


def appointment_message_context(*, appointment, language: str) -> dict:
    """What a message about an appointment says: plain strings in the citizen's language (dates as on paper)."""
    starts_at = timezone.localtime(appointment.starts_at)
    unit = appointment.unit
    return {
        "name": appointment.holder_name,
        "reference": appointment.reference,
        "unit": unit.name_en if language == Language.EN and unit.name_en else unit.name,
        "address": unit.address,
        "date": f"{starts_at:%d/%m/%Y}",
        "time": f"{starts_at:%H:%M}",
    }


def appointment_list_for_reminders(*, day: date) -> list[ReminderDue]:
    """Booked appointments on `day` (local time), with what their reminder says. Cancelled, moved-away,
    checked-in or expired ones are not booked on that day, so they get none."""
    from apps.appointments.models import Appointment, AppointmentStatus

    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = start + timedelta(days=1)
    appointments = (
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .select_related("unit", "slot")
        .order_by("slot__starts_at", "pk")
    )
    due = []
    for appointment in appointments:
        phone = str(appointment.phone or "")
        language = citizen_language(phone=phone, reference=appointment.reference)
        due.append(
            ReminderDue(
                appointment=appointment,
                phone=phone,
                language=language,
                starts_at=appointment.starts_at,
                day=timezone.localtime(appointment.starts_at).date(),
                context=appointment_message_context(appointment=appointment, language=language),
            )
        )
    return due


def ceiling_trip_list_recent(*, days: int = 1) -> list:
    """The ceilings on paid messages reached today (and the days before, with `days` > 1), for the dashboard."""
    from .models import CeilingTrip

    since = timezone.localdate() - timedelta(days=days - 1)
    return list(CeilingTrip.objects.filter(day__gte=since).order_by("-day", "-last_at")[:20])
