from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from apps.core.codes import code_display, code_format, code_is_valid, code_normalize

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


def notification_verify(*, code: str, phone: str) -> VerifiedMessage | None:
    """Whether the portal sent `phone` (E.164) a message carrying `code`: the one code a message names (issue
    11.6: the filing code or a report's tracking code, `{reference}`), or the check code that the footer of
    messages sent before that change carried. The phone is required: a code alone says nothing, as at the lookup.

    Reveals only the kind and the time of the latest such message; a message never delivered counts as not sent
    by us. A one-time confirmation code is never checked here (it is secret, and only ever typed on our page)."""
    code = code_normalize(code)
    if not code_is_valid(code) or not phone:
        return None
    found = Notification.objects.filter(phone=phone, status__in=[Status.SENT, Status.SENDING]).filter(
        Q(context__reference__in=[code, code_format(code)]) | Q(verification_code=code)
    )
    notification = found.order_by("-created_at").only("kind", "sent_at", "last_attempt_at", "created_at").first()
    if notification is None:
        return None
    return VerifiedMessage(
        kind_label=str(notification.get_kind_display()),
        sent_at=notification.sent_at or notification.last_attempt_at or notification.created_at,
    )


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
        "reference": code_display(appointment.reference),
        "unit": unit.name_en if language == Language.EN and unit.name_en else unit.name,
        "address": unit.address_en if language == Language.EN and unit.address_en else unit.address,
        "date": f"{starts_at:%d/%m/%Y}",
        "time": f"{starts_at:%H:%M}",
    }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def appointment_ids_for_reminders(*, day: date) -> list[int]:
    """The ids of the appointments booked on `day` (local time) that have no reminder for that day yet, in id
    order: one query (slots by their start index, then appointments by slot and status; the once-only key's
    unique index answers "already reminded"). Cancelled, moved-away, checked-in or expired ones are not booked on
    that day, so they get none. Ids only, so 50,000 of them are a few hundred kilobytes."""
    from apps.appointments.models import Appointment, AppointmentStatus

    start, end = _day_bounds(day)
    already = Notification.objects.filter(
        dedup_key=Concat(Value("reminder:"), Cast(OuterRef("pk"), CharField()), Value(f":{day:%Y-%m-%d}"))
    )
    return list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .exclude(Exists(already))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def appointment_reminder_rows(*, ids: list[int]) -> list[dict]:
    """What the reminders of these appointments say, in one query: the appointment, its slot and unit, and the
    citizen's language (that of their latest message about this reference, else to this phone, else the
    language they booked in), each read through the (phone, created_at) index."""
    from apps.appointments.models import Appointment, AppointmentStatus

    latest = Notification.objects.filter(phone=OuterRef("phone")).order_by("-created_at")
    by_reference = latest.alias(ref=KT("context__reference")).filter(ref=OuterRef("reference"))
    return list(
        Appointment.objects.filter(pk__in=ids, status=AppointmentStatus.BOOKED)
        .annotate(
            citizen_language=Coalesce(
                Case(When(reference="", then=Value(None)), default=Subquery(by_reference.values("language")[:1])),
                Subquery(latest.values("language")[:1]),
                F("language"),
            )
        )
        .order_by("pk")
        .values(
            "pk",
            "phone",
            "reference",
            "holder_name",
            "citizen_language",
            "slot__starts_at",
            "unit__name",
            "unit__name_en",
            "unit__address",
            "unit__address_en",
        )
    )


@dataclass(frozen=True)
class UnsentSummary:
    count: int
    oldest_age: timedelta | None


def notification_unsent_summary(*, now: datetime | None = None) -> UnsentSummary:
    """Messages not yet handed to a provider (queued or being sent) and the age of the oldest one: a stuck queue
    (no worker, broker down, every channel failing) shows here first."""

    now = now or timezone.now()
    found = Notification.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    oldest = found["oldest"]
    return UnsentSummary(count=found["count"], oldest_age=None if oldest is None else max(now - oldest, timedelta()))


def ceiling_trip_list_recent(*, days: int = 1) -> list:
    """The ceilings on paid messages reached today (and the days before, with `days` > 1), for the dashboard."""
    from .models import CeilingTrip

    since = timezone.localdate() - timedelta(days=days - 1)
    return list(CeilingTrip.objects.filter(day__gte=since).order_by("-day", "-last_at")[:20])


def notification_about_code_q(*, term: str):
    """A filter for the messages about the filing whose whole code is `term` (with or without dashes), or None
    when `term` is not a whole code. Reminders are about the booking, other messages about the filing."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from apps.appointments.models import Appointment
    from apps.backoffice.search import search_term_parse
    from apps.filings.models import Filing

    code = search_term_parse(term).code
    if not code:
        return None
    query = Q(pk__in=[])
    for model, field in ((Filing, "code"), (Appointment, "reference")):
        ids = [str(pk) for pk in model.objects.filter(**{field: code}).values_list("pk", flat=True)]
        if ids:
            query |= Q(subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids)
    return query
