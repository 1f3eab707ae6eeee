"""The only way anything books: hold, book, reschedule, cancel (and the officers' schedule changes).

Concurrency (see docs/ARCHITECTURE.md, "appointments"): the `Slot` row of a time is created on first use
(`get_or_create`, backed by the unique constraint on unit + start), outside the booking transaction. Then ONE
transaction locks what it changes, always in the same order so two transactions never wait on each other in a
circle: the citizen's identity keys (PostgreSQL advisory locks, for the anti-hoarding rules), the appointment row,
the slot row (`select_for_update`). Under the slot lock it counts the places taken (bookings + holds not expired,
in total and for the procedure) and writes; everything that only reads (schedule, calendar, rules) runs before
the lock, so the lock is held for two short statements. Capacity is read just before locking: an officer's
change that lands in between is caught by `appointment_list_affected`, which admin shows. On SQLite, which has
no row locks, the settings open every transaction with BEGIN IMMEDIATE, which takes the database write lock
first: the same check-then-write can not interleave. A lock wait longer than APPOINTMENT_LOCK_TIMEOUT_SECONDS
becomes a friendly "busy, try again".

Nothing here sends messages. `appointment_reschedule` and `appointment_cancel` accept `notify`, a callable run
after the transaction commits as ``notify(appointment=..., event="rescheduled"|"cancelled", previous_starts_at=...)``:
the notifications app plugs in there (admin's move view and cancel action are the call sites to pass it).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import refusal_count
from apps.core.paging import local_day_range
from apps.core.ratelimit import client_fingerprint, current_client
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit

from .models import (
    Appointment,
    AppointmentStatus,
    BookingSchedule,
    Closure,
    OfficialDay,
    Slot,
)
from .selectors import (
    AffectedAppointment,
    appointment_filter_taking_place,
    appointment_list_affected,
    availability_changed,
    booking_window,
    offer_calendar_get,
    schedule_get_active,
    slot_free_places,
    slot_list_nearest,
)

logger = logging.getLogger(__name__)

Notify = Callable[..., None]

SLOT_FULL = _("This time has just been taken. Please choose another time; the nearest free ones are listed.")
SLOT_PAST = _("This time has already passed. Please choose another time.")
SLOT_TOO_SOON = _("Appointments must be booked at least %(hours)s hours ahead. Please choose a later time.")
SLOT_TOO_FAR = _("Appointments can be booked at most %(days)s days ahead. Please choose an earlier day.")
SLOT_DAY_OFF = _("The unit does not receive citizens on %(date)s (%(reason)s).")
SLOT_CLOSED = _("The unit is closed at that time: %(reason)s.")
SLOT_NOT_OFFERED = _("The unit does not receive citizens at that time. Please choose one of the times offered.")
UNIT_NOT_BOOKABLE = _("This unit does not take appointments online.")
PROCEDURE_NOT_HANDLED = _("This unit does not handle this procedure.")
BUSY = _("Many people are booking right now. Please try again in a moment.")
NOT_HELD = _("This place is no longer held for you. Please choose a time again.")
ALREADY_BOOKED = _(
    "This identity number already has an appointment for this procedure. Look it up with its code to change or "
    "cancel it instead of booking another one."
)
PHONE_LIMIT = _("This phone number already has %(count)s upcoming appointments. Cancel one before booking another.")
INVALID_PHONE = _("Enter a Vietnamese mobile number, e.g. 0912 345 678.")
INVALID_ID_NUMBER = _("An identity number has 12 digits.")
REFERENCE_REQUIRED = _("The appointment needs the code of the filing it belongs to.")
NAME_REQUIRED = _("Enter the name of the person who will come.")
CANNOT_CANCEL = _("This appointment has already taken place and cannot be cancelled.")
CANNOT_MOVE = _("Only held or booked appointments can be moved.")
HOLD_RELEASED = _("Replaced by a newer hold")
HOLD_CHANGED = _(
    "Another time was chosen meanwhile (in another tab or window). Nothing was changed: the time chosen there is kept."
)
# `appointment_hold(replacing=ANY_HOLD)`: release whatever the holder holds (the default).
ANY_HOLD = object()


class SlotUnavailable(ValidationError):
    """The time asked for cannot be given; `alternatives` are the nearest free `SlotOption`s (same unit first).

    `alternatives` may be given as a function: they are then searched only when first read (a page showing the
    refusal reads them; a caller that only needs the refusal pays nothing for the search)."""

    def __init__(self, message, *, code: str, params: dict | None = None, alternatives=()):
        super().__init__(message, code=code, params=params)
        self._alternatives = alternatives if callable(alternatives) else list(alternatives)

    @property
    def alternatives(self) -> list:
        if callable(self._alternatives):
            self._alternatives = list(self._alternatives())
        return self._alternatives


class _Refused(Exception):
    """Raised inside the locked transaction; turned into SlotUnavailable (with alternatives) once it is over."""

    def __init__(self, message, code: str, params: dict | None = None):
        self.message, self.code, self.params = message, code, params


# --- Input shape ----------------------------------------------------------------------------------------------
def phone_normalize(*, phone: str) -> str:
    """A Vietnamese (or international) phone number in E.164, or ValidationError."""
    try:
        parsed = phonenumbers.parse(str(phone).strip(), "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": INVALID_PHONE}, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError({"phone": INVALID_PHONE}, code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _id_number_normalize(id_number: str) -> str:
    value = "".join(str(id_number or "").split())
    if value and (len(value) != 12 or not value.isdigit()):
        raise ValidationError({"id_number": INVALID_ID_NUMBER}, code="invalid_id_number")
    return value


def _aware(value: datetime) -> datetime:
    """A naive time is read as local (Ho Chi Minh City) time."""
    return timezone.make_aware(value, timezone.get_default_timezone()) if timezone.is_naive(value) else value


def _language_code(language: str | None) -> str:
    """The citizen's language (default: the one of the current request), one of settings.LANGUAGES."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Locking --------------------------------------------------------------------------------------------------
def _is_busy(exc: OperationalError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in {"55P03", "40P01", "40001"}:  # lock_not_available, deadlock_detected, serialization_failure
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "lock timeout" in text


@contextmanager
def _locked_transaction(*identity_keys: str) -> Iterator[None]:
    """One transaction with a bounded lock wait, first locking the citizen's identity keys (`_lock_identity`); a
    wait that runs out becomes a translated "busy, try again"."""
    try:
        with transaction.atomic():
            _lock_identity(*identity_keys)
            yield
    except OperationalError as exc:
        if _is_busy(exc):
            logger.warning("Booking lock wait ran out: %s", exc)
            raise ValidationError(BUSY, code="busy") from exc
        raise


def _lock_identity(*keys: str) -> None:
    """Serialise the anti-hoarding checks of one card number / phone across different slots (PostgreSQL).

    Slot locks only serialise requests for the same time; two requests with the same card number for two times
    would both pass the "one booking per card" check. A transaction-scoped advisory lock per key closes that gap.
    SQLite needs nothing: its transactions are already serialised. Keys are sorted so the lock order is fixed.

    One statement (one round trip) sets the transaction's lock wait bound, then takes the locks: PostgreSQL
    evaluates the select list from left to right.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({k for k in keys if k})
    timeout = f"{int(settings.APPOINTMENT_LOCK_TIMEOUT_SECONDS * 1000)}ms"
    locks = "".join(", pg_advisory_xact_lock(hashtext(%s))" for _key in keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT set_config('lock_timeout', %s, true){locks}", [timeout, *(f"appointments:{k}" for k in keys)]
        )


def _lock_slot(slot: Slot) -> Slot:
    return Slot.objects.select_for_update().get(pk=slot.pk)


def _slot_materialize(*, unit: PoliceUnit, starts_at: datetime, ends_at: datetime) -> Slot:
    # get_or_create inserts in a savepoint and, when a concurrent request inserted the same row first (the unique
    # constraint on unit + start fires), reads that row instead.
    slot, _created = Slot.objects.get_or_create(unit=unit, starts_at=starts_at, defaults={"ends_at": ends_at})
    return slot


# --- Rules ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Offer:
    schedule: BookingSchedule
    ends_at: datetime
    procedure_capacity: int | None


def _check_offered(
    *,
    unit: PoliceUnit,
    procedure: Procedure,
    starts_at: datetime,
    now: datetime,
    enforce_window: bool = True,
) -> _Offer:
    """The schedule, places and end of the slot starting at `starts_at`, or the reason it is not offered.

    Runs before the locked transaction (it only reads), so the lock is held for as short a time as possible.
    """
    day = timezone.localdate(starts_at)
    schedule, calendar = offer_calendar_get(unit=unit, procedure=procedure, day=day)
    if schedule is None or calendar is None or not procedure.is_active:
        if schedule_get_active(unit=unit) is None:
            raise _Refused(UNIT_NOT_BOOKABLE, "unit_not_bookable")
        raise _Refused(PROCEDURE_NOT_HANDLED, "procedure_not_handled")
    if starts_at <= now:
        raise _Refused(SLOT_PAST, "past")
    earliest, last_day = booking_window(schedule=schedule, now=now)
    if enforce_window:
        if starts_at < earliest:
            raise _Refused(SLOT_TOO_SOON, "too_soon", {"hours": schedule.lead_time_hours})
        if day > last_day:
            raise _Refused(SLOT_TOO_FAR, "too_far", {"days": schedule.horizon_days})
    off = calendar.day_off_reason(day)
    if off:
        raise _Refused(SLOT_DAY_OFF, "day_off", {"date": formats.date_format(day, "SHORT_DATE_FORMAT"), "reason": off})
    times, _why, _because = calendar.slot_times(day)
    for s, e in times:
        if s == starts_at:
            return _Offer(schedule=schedule, ends_at=e, procedure_capacity=schedule.procedure_capacity)
    length = timedelta(minutes=schedule.slot_minutes)
    closure = next((c for c in calendar.closures if c.starts_at < starts_at + length and c.ends_at > starts_at), None)
    if closure is not None:
        raise _Refused(SLOT_CLOSED, "closed", {"reason": closure.display_reason})
    raise _Refused(SLOT_NOT_OFFERED, "not_offered")


def _live_holds(now: datetime) -> Q:
    """Holds that keep a place now (not expired, within the budgets)."""
    return Q(status=AppointmentStatus.HELD, hold_counted=True, hold_expires_at__gt=now)


def _check_places(
    *, slot: Slot, offer: _Offer, procedure: Procedure, now: datetime, exclude_pk: int | None = None
) -> dict[str, int]:
    """Under the slot lock: refuse when no place is left for `procedure` (holds not expired count). Returns the
    counts, the slot's live holds among them (`held`, `held_same`), read in the same query for `_hold_keeps_place`."""
    qs = Appointment.objects.filter(slot=slot).filter(appointment_filter_taking_place(now=now))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    same = Q(procedure=procedure)
    counts = qs.aggregate(
        taken=Count("id"),
        same=Count("id", filter=same),
        held=Count("id", filter=_live_holds(now)),
        held_same=Count("id", filter=_live_holds(now) & same),
    )
    free = slot_free_places(
        capacity=offer.schedule.capacity,
        procedure_capacity=offer.procedure_capacity,
        taken=counts["taken"],
        taken_same=counts["same"],
    )
    if free <= 0:
        raise _Refused(SLOT_FULL, "full")
    return counts


def _check_hoarding(
    *,
    procedure: Procedure,
    phone: str,
    id_number: str,
    now: datetime,
    exclude_pk: int | None = None,
    holder_key: str = "",
    check_id: bool = True,
) -> int:
    """Refuse a second booking of the card number for the procedure, or one phone number too many upcoming
    appointments. Returns the phone's live holds (read in the same query, for `_hold_keeps_place`)."""
    upcoming = Appointment.objects.filter(slot__starts_at__gt=now)
    if exclude_pk is not None:
        upcoming = upcoming.exclude(pk=exclude_pk)
    if id_number and check_id:
        existing = (
            upcoming.filter(procedure=procedure, id_number=id_number, status=AppointmentStatus.BOOKED)
            .select_related("slot")
            .first()
        )
        if existing is not None:
            # Neither when nor where: typing someone else's card number must not reveal their booking.
            refusal_count(limit="already-booked")
            raise ValidationError(ALREADY_BOOKED, code="already_booked")
    limit = settings.APPOINTMENT_MAX_ACTIVE_PER_PHONE
    of_phone = Appointment.objects.filter(phone=phone)
    if exclude_pk is not None:
        of_phone = of_phone.exclude(pk=exclude_pk)
    counts = of_phone.aggregate(
        active=Count(
            "id",
            filter=Q(slot__starts_at__gt=now)
            & (Q(status=AppointmentStatus.BOOKED) | (_live_holds(now) & ~Q(holder_key=holder_key))),
        ),
        holds=Count("id", filter=_live_holds(now)),
    )
    if counts["active"] >= limit:
        refusal_count(limit="phone-appointments")
        raise ValidationError(PHONE_LIMIT, code="phone_limit", params={"count": counts["active"]})
    return counts["holds"]


def _hold_keeps_place(
    *, offer: _Offer, places: dict[str, int], phone_holds: int, client_hash: str, now: datetime
) -> bool:
    """Under the slot lock and the phone's and client's identity locks: whether a new hold is within the budgets.

    Holds are free to take (no code confirmed yet), so what they may keep from others is bounded: at most
    APPOINTMENT_HOLD_SHARE of a slot's places (rounded down, so the last place is always left for a confirmed
    booking), APPOINTMENT_HOLDS_PER_PHONE per phone and APPOINTMENT_HOLDS_PER_CLIENT per client address. A hold
    beyond a budget is still given (it never blocks a citizen behind a shared address); it just keeps nothing.
    """
    share = settings.APPOINTMENT_HOLD_SHARE
    if places["held"] >= math.floor(offer.schedule.capacity * share + 1e-9):
        return False
    if offer.procedure_capacity is not None and places["held_same"] >= math.floor(
        offer.procedure_capacity * share + 1e-9
    ):
        return False
    if phone_holds >= settings.APPOINTMENT_HOLDS_PER_PHONE:
        return False
    live = Appointment.objects.filter(_live_holds(now))
    return not (client_hash and live.filter(holder_client=client_hash).count() >= settings.APPOINTMENT_HOLDS_PER_CLIENT)


def _unavailable(
    refused: _Refused, *, unit: PoliceUnit, procedure: Procedure, starts_at: datetime, now: datetime
) -> SlotUnavailable:
    refusal_count(limit=f"slot-{refused.code}")  # slot-full, slot-too_soon, slot-closed…

    def nearest():
        return slot_list_nearest(unit=unit, procedure=procedure, near=max(starts_at, now), now=now)

    # Searched when first read, after the transaction: the lock is never held while we search, and a refusal costs
    # no more than a success unless someone looks at the alternatives.
    alternatives = nearest if refused.code != "procedure_not_handled" else ()
    return SlotUnavailable(refused.message, code=refused.code, params=refused.params, alternatives=alternatives)


def _after_commit(notify: Notify | None, **kwargs) -> None:
    if notify is not None:
        transaction.on_commit(lambda: notify(**kwargs))


# --- Contract -------------------------------------------------------------------------------------------------
def appointment_hold(
    *,
    unit: PoliceUnit,
    procedure: Procedure,
    starts_at: datetime,
    phone: str,
    id_number: str = "",
    holder_key: str,
    language: str | None = None,
    client: str | None = None,
    now: datetime | None = None,
    by_officer: bool = False,
    replacing=ANY_HOLD,
) -> Appointment:
    """Keep a place at `starts_at` for APPOINTMENT_HOLD_MINUTES while the citizen finishes their form.

    The same `holder_key` (the browser session) holds at most one place per procedure: a new hold releases the
    previous one. `replacing` (the id of the hold the caller last saw, or None for none): when the holder's live
    hold is another one (a second tab chose a time meanwhile), nothing changes and ValidationError
    `hold_changed` is raised; checked under a lock on the holder, so of two requests racing from the same page
    exactly one holds. Raises SlotUnavailable (with `.alternatives`) or ValidationError (phone, card number, limits).
    `client` (default: the address of the request being served) counts against the per-client hold budget; a
    hold beyond a budget is given with `hold_counted=False` (see `_hold_keeps_place`). `by_officer` (a booking
    made at the counter) lifts the lead time and horizon; capacity and every other rule still apply.
    """
    now = now or timezone.now()
    client = current_client() if client is None else client
    client_hash = client_fingerprint(client) if client else ""
    starts_at = _aware(starts_at)
    phone = phone_normalize(phone=phone)
    id_number = _id_number_normalize(id_number)
    try:
        offer = _check_offered(
            unit=unit, procedure=procedure, starts_at=starts_at, now=now, enforce_window=not by_officer
        )
        slot = _slot_materialize(unit=unit, starts_at=starts_at, ends_at=offer.ends_at)
        with _locked_transaction(
            f"id:{procedure.pk}:{id_number}" if id_number else "",
            f"phone:{phone}",
            f"client:{client_hash}" if client_hash else "",
            f"holder:{holder_key}" if replacing is not ANY_HOLD else "",
        ):
            previous = Appointment.objects.filter(
                holder_key=holder_key, procedure=procedure, status=AppointmentStatus.HELD
            )
            if replacing is not ANY_HOLD and previous.exclude(pk=replacing).exists():
                raise ValidationError(HOLD_CHANGED, code="hold_changed")
            previous.update(status=AppointmentStatus.CANCELLED, cancelled_at=now, cancel_reason=str(HOLD_RELEASED))
            availability_changed()
            # The card number's own booking is checked when booking, after the phone is confirmed: at the slot step
            # anyone can type anyone's number, and a refusal there would tell them the person has a booking.
            phone_holds = _check_hoarding(
                procedure=procedure, phone=phone, id_number=id_number, now=now, holder_key=holder_key, check_id=False
            )
            slot = _lock_slot(slot)
            places = _check_places(slot=slot, offer=offer, procedure=procedure, now=now)
            counted = _hold_keeps_place(
                offer=offer, places=places, phone_holds=phone_holds, client_hash=client_hash, now=now
            )
            if not counted:  # given, but over a hold budget: it keeps no place from others
                refusal_count(limit="hold-budget")
            appointment = Appointment(
                slot=slot,
                unit=unit,
                procedure=procedure,
                status=AppointmentStatus.HELD,
                hold_expires_at=now + timedelta(minutes=settings.APPOINTMENT_HOLD_MINUTES),
                holder_key=holder_key,
                hold_counted=counted,
                holder_client=client_hash,
                phone=phone,
                id_number=id_number,
                created_at=now,
                language=_language_code(language),
            )
            appointment.full_clean(exclude=["slot", "unit", "procedure"], validate_constraints=False)
            appointment.save()
    except _Refused as refused:
        raise _unavailable(refused, unit=unit, procedure=procedure, starts_at=starts_at, now=now) from None
    return appointment


def appointment_book(
    *,
    appointment: Appointment,
    reference: str,
    holder_name: str,
    id_number: str | None = None,
    phone: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Turn a hold into a booking for the filing `reference`.

    `phone`: the number the citizen confirmed (default: the hold's). The booking's phone is always that number, so
    moves, cancellations and reminders never go to a number that confirmed nothing; a changed number is checked
    against the per-phone limits again.

    A hold that has expired is still booked when its place is free (the capacity check runs again under the slot
    lock, holds of others included). Booking an already booked appointment with the same reference returns it.
    """
    now = now or timezone.now()
    reference = (reference or "").strip()
    holder_name = " ".join((holder_name or "").split())
    if not reference:
        raise ValidationError(REFERENCE_REQUIRED, code="reference_required")
    if not holder_name:
        raise ValidationError({"holder_name": NAME_REQUIRED}, code="name_required")
    id_number = _id_number_normalize(appointment.id_number if id_number is None else id_number)
    phone = phone_normalize(phone=phone) if phone else appointment.phone
    unit, procedure = appointment.unit, appointment.procedure
    starts_at = appointment.slot.starts_at
    try:
        if starts_at <= now:
            raise _Refused(SLOT_PAST, "past")
        # Days off and closures added since the hold was taken refuse it; lead time and horizon do not apply.
        offer = _check_offered(unit=unit, procedure=procedure, starts_at=starts_at, now=now, enforce_window=False)
        with _locked_transaction(f"id:{procedure.pk}:{id_number}" if id_number else "", f"phone:{phone}"):
            current = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
            if current.status == AppointmentStatus.BOOKED and current.reference == reference:
                return current
            if current.status not in (AppointmentStatus.HELD, AppointmentStatus.EXPIRED):
                raise ValidationError(NOT_HELD, code="not_held")
            if current.slot_id != appointment.slot_id:  # moved meanwhile: check the time it has now
                offer = _check_offered(
                    unit=current.unit,
                    procedure=procedure,
                    starts_at=current.slot.starts_at,
                    now=now,
                    enforce_window=False,
                )
            _check_hoarding(
                procedure=procedure,
                phone=phone,
                id_number=id_number,
                now=now,
                exclude_pk=current.pk,
                holder_key=current.holder_key,
            )
            _lock_slot(current.slot)
            # Counting the others (this hold excluded) is right both for a live hold, which already counts, and
            # for an expired one, which gets its place back only when one is free; a lowered capacity is honoured.
            _check_places(slot=current.slot, offer=offer, procedure=procedure, now=now, exclude_pk=current.pk)
            current.status = AppointmentStatus.BOOKED
            current.reference = reference
            current.holder_name = holder_name
            current.id_number = id_number
            current.phone = phone
            current.booked_at = now
            current.hold_expires_at = None
            current.full_clean(exclude=["slot", "unit", "procedure"], validate_constraints=False)
            current.save(
                update_fields=[
                    "status",
                    "reference",
                    "holder_name",
                    "id_number",
                    "phone",
                    "booked_at",
                    "hold_expires_at",
                ]
            )
    except _Refused as refused:
        raise _unavailable(refused, unit=unit, procedure=procedure, starts_at=starts_at, now=now) from None
    return current


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime,
    unit: PoliceUnit | None = None,
    by_officer: bool = False,
    notify: Notify | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a held or booked appointment to `starts_at` (at `unit`, default its own), atomically: the new place
    is taken and the old one freed in one transaction, or nothing changes. Same row, same reference.

    `by_officer` lifts the lead time and horizon (an officer moving bookings off a closed day); opening hours,
    days off, closures and capacity still apply.
    """
    now = now or timezone.now()
    starts_at = _aware(starts_at)
    unit = unit or appointment.unit
    procedure = appointment.procedure
    previous = appointment.slot.starts_at
    if appointment.slot.starts_at == starts_at and appointment.unit_id == unit.pk:
        return appointment
    try:
        offer = _check_offered(
            unit=unit, procedure=procedure, starts_at=starts_at, now=now, enforce_window=not by_officer
        )
        slot = _slot_materialize(unit=unit, starts_at=starts_at, ends_at=offer.ends_at)
        with _locked_transaction():
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status not in (AppointmentStatus.HELD, AppointmentStatus.BOOKED):
                raise ValidationError(CANNOT_MOVE, code="cannot_move")
            slot = _lock_slot(slot)
            _check_places(slot=slot, offer=offer, procedure=procedure, now=now, exclude_pk=current.pk)
            current.slot = slot
            current.unit = unit
            current.reschedule_count += 1
            fields = ["slot", "unit", "reschedule_count"]
            if current.status == AppointmentStatus.HELD:
                current.hold_expires_at = now + timedelta(minutes=settings.APPOINTMENT_HOLD_MINUTES)
                fields.append("hold_expires_at")
            current.save(update_fields=fields)
            # The filing booked here keeps a copy of its appointment's unit (filings.Filing.unit).
            Appointment._meta.get_field("filing").related_model.objects.filter(appointment=current).exclude(
                unit=unit
            ).update(unit=unit)
            _after_commit(notify, appointment=current, event="rescheduled", previous_starts_at=previous)
    except _Refused as refused:
        raise _unavailable(refused, unit=unit, procedure=procedure, starts_at=starts_at, now=now) from None
    return current


def appointment_cancel(
    *, appointment: Appointment, reason: str = "", notify: Notify | None = None, now: datetime | None = None
) -> Appointment:
    """Free the place. No slot lock needed: freeing a place can never overbook. Cancelling twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Appointment.objects.filter(
            pk=appointment.pk, status__in=(AppointmentStatus.HELD, AppointmentStatus.BOOKED, AppointmentStatus.EXPIRED)
        ).update(status=AppointmentStatus.CANCELLED, cancelled_at=now, cancel_reason=reason[:300])
        if changed:
            availability_changed()
        appointment.refresh_from_db()
        if not changed and appointment.status != AppointmentStatus.CANCELLED:
            raise ValidationError(CANNOT_CANCEL, code="cannot_cancel")
        if changed:
            previous = appointment.slot.starts_at
            _after_commit(notify, appointment=appointment, event="cancelled", previous_starts_at=previous)
    return appointment


def appointment_expire_holds(*, now: datetime | None = None) -> int:
    """Mark holds past their expiry as EXPIRED (they already stopped counting; this keeps lists tidy)."""
    now = now or timezone.now()
    expired = Appointment.objects.filter(status=AppointmentStatus.HELD, hold_expires_at__lte=now).update(
        status=AppointmentStatus.EXPIRED
    )
    if expired:
        availability_changed()
    return expired


# --- Officers' changes ----------------------------------------------------------------------------------------
def schedule_save(*, schedule: BookingSchedule, now: datetime | None = None) -> list[AffectedAppointment]:
    """Save a schedule (new capacity, slot length, …) and return the upcoming bookings it can no longer honour.

    Nothing is cancelled: officers move the listed appointments (admin shows them) with appointment_reschedule.
    """
    schedule.full_clean()
    schedule.save()
    return appointment_list_affected(unit=schedule.unit, now=now)


def closure_save(*, closure: Closure, now: datetime | None = None) -> list[AffectedAppointment]:
    """Save a (new or changed) closure; returns the upcoming bookings inside it, which stay booked until moved."""
    closure.full_clean()
    closure.save()
    affected = appointment_list_affected(unit=closure.unit, now=now)
    return [
        a
        for a in affected
        if a.appointment.slot.starts_at < closure.ends_at and a.appointment.slot.ends_at > closure.starts_at
    ]


def closure_create(
    *,
    unit: PoliceUnit,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    reason_en: str = "",
    now: datetime | None = None,
) -> tuple[Closure, list[AffectedAppointment]]:
    """Close a unit for a while; returns the closure and the bookings inside it, which stay booked until moved."""
    closure = Closure(unit=unit, starts_at=starts_at, ends_at=ends_at, reason=reason, reason_en=reason_en)
    return closure, closure_save(closure=closure, now=now)


def official_day_save(*, official_day: OfficialDay, now: datetime | None = None) -> list[AffectedAppointment]:
    """Save an official day off (or working day); returns the upcoming bookings, at any unit, it now rules out."""
    official_day.full_clean()
    official_day.save()
    unit_ids = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            slot__starts_at__gte=local_day_range(official_day.date)[0],
            slot__starts_at__lt=local_day_range(official_day.date)[1],
        )
        .values_list("unit_id", flat=True)
        .distinct()
    )
    affected: list[AffectedAppointment] = []
    for unit in PoliceUnit.objects.filter(pk__in=list(unit_ids)).order_by("order", "name"):
        affected += appointment_list_affected(unit=unit, start=official_day.date, end=official_day.date, now=now)
    return affected
