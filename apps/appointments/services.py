"""The only way anything books: hold, book, reschedule, cancel (and the officers' schedule changes).

Concurrency (see docs/ARCHITECTURE.md, "appointments"): ONE transaction locks what it changes, always in the same
order so two transactions never wait on each other in a circle: the citizen's identity keys (PostgreSQL advisory
locks, for the anti-hoarding rules), the appointment row, the slot row. The `Slot` row of a time is locked by its
unique (unit, start) inside the transaction and created there on first use (`_lock_slot_at`). Under the slot lock
one statement counts the places taken (bookings + holds not expired, in total and for the procedure) and what the
anti-hoarding rules read (`_counts`), the rules decide in Python, one statement writes; everything that only reads
(schedule, calendar) runs before the transaction. So a hold or a booking is three statements between BEGIN and
COMMIT, the same plain SQL on PostgreSQL and SQLite but for the locking clauses (docs/scale.md, "Booking").
Capacity is read just before locking: an officer's change that lands in between is caught by
`appointment_list_affected`, which admin shows. On SQLite, which has no row locks, the settings open every
transaction with BEGIN IMMEDIATE, which takes the database write lock first: the same check-then-write can not
interleave. A lock wait longer than APPOINTMENT_LOCK_TIMEOUT_SECONDS becomes a friendly "busy, try again".

Nothing here sends messages. `appointment_reschedule` and `appointment_cancel` accept `notify`, a callable run
after the transaction commits as ``notify(appointment=..., event="rescheduled"|"cancelled", previous_starts_at=...)``:
the notifications app plugs in there (admin's move view and cancel action are the call sites to pass it).
"""

from __future__ import annotations

import copy
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
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import refusal_count
from apps.core.paging import local_day_range
from apps.core.prepared import statement_cursor
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
MOVED_ELSEWHERE = _(
    "This appointment was just changed on another page (another tab or window). Nothing was changed here: the "
    "appointment as it is now is shown on this page. To move it again, choose a time again."
)
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
# The hot statements are plain SQL, the same text on PostgreSQL and SQLite except for the locking clauses: a hold
# and a booking each take three statements inside their transaction (lock, count, write), the rules applied to
# the counts stay in Python (`_refuse_hoarding`, `_refuse_full`, `_hold_keeps_place`). docs/scale.md, "Booking".
_APPOINTMENTS = Appointment._meta.db_table
_SLOTS = Slot._meta.db_table


def _is_busy(exc: OperationalError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in {"55P03", "40P01", "40001"}:  # lock_not_available, deadlock_detected, serialization_failure
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "lock timeout" in text


@contextmanager
def _locked_transaction() -> Iterator[None]:
    """One transaction (its first statement is `_lock`); a lock wait that runs out becomes a translated "busy, try
    again"."""
    try:
        with transaction.atomic():
            yield
    except OperationalError as exc:
        if _is_busy(exc):
            logger.warning("Booking lock wait ran out: %s", exc)
            raise ValidationError(BUSY, code="busy") from exc
        raise


def _db_time(value: datetime):
    """A datetime as the database takes it in plain SQL (SQLite stores UTC text, as the ORM writes it)."""
    return connection.ops.adapt_datetimefield_value(value)


def _for_update(of: str = "") -> str:
    if not connection.features.has_select_for_update:
        return ""  # SQLite: BEGIN IMMEDIATE already serialises every writing transaction
    return f" FOR UPDATE OF {of}" if of else " FOR UPDATE"


def _lock(keys: tuple[str, ...] = (), *, rows: tuple[str, ...] = (), params: tuple = ()) -> tuple:
    """ONE statement (one round trip) that bounds the transaction's lock wait, takes the citizen's identity locks,
    then runs the sub-selects `rows` (the first one locks the row(s) it reads) and returns their values (None for
    a sub-select that finds no row).

    Identity locks (PostgreSQL transaction-scoped advisory locks, keys sorted so the order is fixed) serialise the
    anti-hoarding checks of one card number / phone across different slots: slot locks only serialise requests for
    the same time. PostgreSQL evaluates a select list from left to right and a sub-select in it when it is first
    reached, so the row locks are taken after the identity locks, always in this order: identity keys, appointment,
    slot. SQLite needs no lock: its transactions are already serialised.
    """
    subselects = [f"({sql})" for sql in rows]
    if connection.vendor != "postgresql":
        if not rows:
            return ()
        with statement_cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(subselects)}", params)
            return tuple(cursor.fetchone())
    keys = sorted({k for k in keys if k})
    timeout = f"{int(settings.APPOINTMENT_LOCK_TIMEOUT_SECONDS * 1000)}ms"
    columns = ["set_config('lock_timeout', %s, true)", *(["pg_advisory_xact_lock(hashtext(%s))"] * len(keys))]
    with statement_cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns + subselects)}", [timeout, *(f"appointments:{k}" for k in keys), *params]
        )
        return tuple(cursor.fetchone()[len(columns) :])


def _lock_slot_at(keys: tuple[str, ...], *, unit: PoliceUnit, starts_at: datetime, ends_at: datetime) -> Slot:
    """Lock (after the identity `keys`) the slot row of `unit` at `starts_at`, creating it on first use.

    The row is looked up by its unique (unit, start) inside the transaction. When it does not exist yet it is
    inserted (ON CONFLICT DO NOTHING: a concurrent first request may insert it first, then ours waits for that
    one to end) and looked up again by a new statement, which sees it either way. (`ends_at` is the new row's; an
    existing row keeps its own, read with the lock: a slot row is never updated.)"""
    where = f"FROM {_SLOTS} WHERE unit_id = %s AND starts_at = %s"
    rows = (f"SELECT id {where}{_for_update()}", f"SELECT ends_at {where}")
    at = (unit.pk, _db_time(starts_at))
    slot_id, slot_ends_at = _lock(keys, rows=rows, params=at * 2)
    if slot_id is None:
        with statement_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_SLOTS} (unit_id, starts_at, ends_at) VALUES (%s, %s, %s) "  # noqa: S608
                "ON CONFLICT (unit_id, starts_at) DO NOTHING",
                [*at, _db_time(ends_at)],
            )
        slot_id, slot_ends_at = _lock(rows=rows, params=at * 2)
    slot = Slot(pk=slot_id, unit=unit, starts_at=starts_at, ends_at=ends_at)
    slot.ends_at = Slot._meta.get_field("ends_at").to_python(slot_ends_at)
    if connection.vendor != "postgresql" and timezone.is_naive(slot.ends_at):
        slot.ends_at = timezone.make_aware(slot.ends_at, connection.timezone)
    slot._state.adding, slot._state.db = False, connection.alias
    return slot


def _counts(
    *,
    slot_id: int,
    procedure_id: int,
    now: datetime,
    phone: str = "",
    holder_key: str | None = None,
    exclude_pk: int | None = None,
    id_number: str = "",
    client_hash: str = "",
    release: dict | None = None,
) -> dict[str, int]:
    """ONE statement, under the slot lock (and the identity locks): what the rules read.

    * the slot's places taken (bookings and their outcomes, live holds), in total (`taken`) and for the procedure
      (`same`), and among them the live holds (`held`, `held_same`);
    * with `phone`: its upcoming bookings and live holds of other holders (`phone_active`), its live holds
      (`phone_holds`); `holder_key` None means "the holder of `exclude_pk`";
    * with `id_number`: whether it has an upcoming booking for the procedure (`id_booked`);
    * with `client_hash`: the client's live holds (`client_holds`).

    `exclude_pk` (the appointment being booked or moved) is not counted. `release` (a hold: `cancelled_at`,
    `reason`, `replacing`) cancels the holder's previous holds for the procedure first, on PostgreSQL in the same
    statement (a data-modifying WITH, whose rows the counts leave out as they do not see the change yet), and
    counts those released that are not `replacing` (`hold_changed`).
    """
    p = {
        "slot": slot_id,
        "procedure": procedure_id,
        "now": _db_time(now),
        "held": AppointmentStatus.HELD.value,
        "booked": AppointmentStatus.BOOKED.value,
        "checked_in": AppointmentStatus.CHECKED_IN.value,
        "no_show": AppointmentStatus.NO_SHOW.value,
        "pk": exclude_pk or 0,
        "phone": phone,
        "holder": holder_key or "",
        "id_number": id_number,
        "client": client_hash,
    }
    live = "(a.status = %(held)s AND a.hold_counted AND a.hold_expires_at > %(now)s)"
    taking = f"(a.status IN (%(booked)s, %(checked_in)s, %(no_show)s) OR {live})"
    mine = " AND a.id <> %(pk)s" if exclude_pk else ""
    with_sql, parts = "", []
    known = {"phone_active": 0, "phone_holds": 0, "id_booked": 0, "client_holds": 0, "hold_changed": 0}
    if release is not None:
        release_sql = (
            f"UPDATE {_APPOINTMENTS} SET status = %(cancelled)s, cancelled_at = %(cancelled_at)s, "  # noqa: S608
            "cancel_reason = %(reason)s WHERE holder_key = %(holder)s AND procedure_id = %(procedure)s "
            "AND status = %(held)s RETURNING id"
        )
        replacing = release.get("replacing")
        p |= {
            "cancelled": AppointmentStatus.CANCELLED.value,
            "cancelled_at": _db_time(release["cancelled_at"]),
            "reason": str(release["reason"]),
            "replacing": replacing if isinstance(replacing, int) else 0,  # `hold_changed`: released, not that one
        }
        if connection.vendor == "postgresql":
            with_sql = f"WITH released AS ({release_sql}) "
            mine += " AND a.id NOT IN (SELECT id FROM released)"
            parts.append("(SELECT COUNT(*) AS hold_changed FROM released WHERE id <> %(replacing)s) changes")
        else:
            with statement_cursor() as cursor:
                cursor.execute(release_sql, p)
                known["hold_changed"] = sum(1 for (pk,) in cursor.fetchall() if pk != p["replacing"])
    parts.append(
        "(SELECT COUNT(*) AS taken, COUNT(*) FILTER (WHERE a.procedure_id = %(procedure)s) AS same, "  # noqa: S608
        f"COUNT(*) FILTER (WHERE {live}) AS held, "
        f"COUNT(*) FILTER (WHERE {live} AND a.procedure_id = %(procedure)s) AS held_same "
        f"FROM {_APPOINTMENTS} a WHERE a.slot_id = %(slot)s AND {taking}{mine}) places"
    )
    if phone:
        holder = "%(holder)s"
        if holder_key is None:  # the holder of `exclude_pk`
            holder = f"(SELECT holder_key FROM {_APPOINTMENTS} WHERE id = %(pk)s)"  # noqa: S608
        parts.append(
            "(SELECT COUNT(*) FILTER (WHERE s.starts_at > %(now)s AND (a.status = %(booked)s "  # noqa: S608
            f"OR ({live} AND a.holder_key <> {holder}))) AS phone_active, "
            f"COUNT(*) FILTER (WHERE {live}) AS phone_holds "
            f"FROM {_APPOINTMENTS} a JOIN {_SLOTS} s ON s.id = a.slot_id WHERE a.phone = %(phone)s{mine}) phones"
        )
    if id_number:
        parts.append(
            f"(SELECT COUNT(*) AS id_booked FROM (SELECT 1 FROM {_APPOINTMENTS} a JOIN {_SLOTS} s ON s.id = a.slot_id "  # noqa: S608
            "WHERE a.procedure_id = %(procedure)s AND a.id_number = %(id_number)s AND a.status = %(booked)s "
            f"AND s.starts_at > %(now)s{mine} LIMIT 1) one) ids"
        )
    if client_hash:
        parts.append(
            f"(SELECT COUNT(*) AS client_holds FROM {_APPOINTMENTS} a WHERE {live} "  # noqa: S608
            f"AND a.holder_client = %(client)s{mine}) clients"
        )
    with statement_cursor() as cursor:
        cursor.execute(f"{with_sql}SELECT * FROM {' CROSS JOIN '.join(parts)}", p)  # noqa: S608
        names = [column[0] for column in cursor.description]
        return known | dict(zip(names, cursor.fetchone(), strict=True))


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
    stamp = starts_at.timestamp()
    stamps, _why, _because = calendar.slot_stamps(day)  # POSIX seconds: no datetime built for the day's other times
    for s, e in stamps:
        if s == stamp:
            ends_at = datetime.fromtimestamp(e, timezone.get_default_timezone())
            return _Offer(schedule=schedule, ends_at=ends_at, procedure_capacity=schedule.procedure_capacity)
    length = timedelta(minutes=schedule.slot_minutes)
    closure = next((c for c in calendar.closures if c.starts_at < starts_at + length and c.ends_at > starts_at), None)
    if closure is not None:
        raise _Refused(SLOT_CLOSED, "closed", {"reason": closure.display_reason})
    raise _Refused(SLOT_NOT_OFFERED, "not_offered")


def _refuse_full(*, counts: dict[str, int], offer: _Offer) -> None:
    """Under the slot lock: refuse when no place is left for the procedure (`_counts`: holds not expired count)."""
    free = slot_free_places(
        capacity=offer.schedule.capacity,
        procedure_capacity=offer.procedure_capacity,
        taken=counts["taken"],
        taken_same=counts["same"],
    )
    if free <= 0:
        raise _Refused(SLOT_FULL, "full")


def _refuse_hoarding(*, counts: dict[str, int]) -> None:
    """Refuse a second booking of the card number for the procedure (`id_booked`), or one phone number too many
    upcoming appointments (`phone_active`); read by `_counts` under the identity locks."""
    if counts["id_booked"]:
        # Neither when nor where: typing someone else's card number must not reveal their booking.
        refusal_count(limit="already-booked")
        raise ValidationError(ALREADY_BOOKED, code="already_booked")
    if counts["phone_active"] >= settings.APPOINTMENT_MAX_ACTIVE_PER_PHONE:
        refusal_count(limit="phone-appointments")
        raise ValidationError(PHONE_LIMIT, code="phone_limit", params={"count": counts["phone_active"]})


def _hold_keeps_place(*, offer: _Offer, counts: dict[str, int]) -> bool:
    """Under the slot lock and the phone's and client's identity locks: whether a new hold is within the budgets.

    Holds are free to take (no code confirmed yet), so what they may keep from others is bounded: at most
    APPOINTMENT_HOLD_SHARE of a slot's places (rounded down, so the last place is always left for a confirmed
    booking), APPOINTMENT_HOLDS_PER_PHONE per phone and APPOINTMENT_HOLDS_PER_CLIENT per client address. A hold
    beyond a budget is still given (it never blocks a citizen behind a shared address); it just keeps nothing.
    """
    share = settings.APPOINTMENT_HOLD_SHARE
    if counts["held"] >= math.floor(offer.schedule.capacity * share + 1e-9):
        return False
    if offer.procedure_capacity is not None and counts["held_same"] >= math.floor(
        offer.procedure_capacity * share + 1e-9
    ):
        return False
    if counts["phone_holds"] >= settings.APPOINTMENT_HOLDS_PER_PHONE:
        return False
    return counts["client_holds"] < settings.APPOINTMENT_HOLDS_PER_CLIENT


def _insert(appointment: Appointment) -> None:
    """INSERT … RETURNING id of a new, validated appointment (what `save()` does, without its signals: the caller
    calls `availability_changed()` itself)."""
    appointment.slot_start_copy()
    fields = [f for f in Appointment._meta.concrete_fields if not f.primary_key and not f.generated]
    values = [f.get_db_prep_save(f.pre_save(appointment, add=True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with statement_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_APPOINTMENTS} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id",  # noqa: S608
            values,
        )
        appointment.pk = cursor.fetchone()[0]
    appointment._state.adding = False
    appointment._state.db = connection.alias


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
    # Built and validated before the transaction (the lock is held for statements, not for Python's checks).
    appointment = Appointment(
        unit=unit,
        procedure=procedure,
        status=AppointmentStatus.HELD,
        hold_expires_at=now + timedelta(minutes=settings.APPOINTMENT_HOLD_MINUTES),
        holder_key=holder_key,
        holder_client=client_hash,
        phone=phone,
        id_number=id_number,
        created_at=now,
        language=_language_code(language),
    )
    appointment.full_clean(exclude=["slot", "unit", "procedure"], validate_constraints=False)
    try:
        offer = _check_offered(
            unit=unit, procedure=procedure, starts_at=starts_at, now=now, enforce_window=not by_officer
        )
        with _locked_transaction():
            slot = _lock_slot_at(
                (
                    f"id:{procedure.pk}:{id_number}" if id_number else "",
                    f"phone:{phone}",
                    f"client:{client_hash}" if client_hash else "",
                    f"holder:{holder_key}" if replacing is not ANY_HOLD else "",
                ),
                unit=unit,
                starts_at=starts_at,
                ends_at=offer.ends_at,
            )
            # The card number's own booking is checked when booking, after the phone is confirmed: at the slot step
            # anyone can type anyone's number, and a refusal there would tell them the person has a booking.
            counts = _counts(
                slot_id=slot.pk,
                procedure_id=procedure.pk,
                now=now,
                phone=phone,
                holder_key=holder_key,
                client_hash=client_hash,
                # The holder's previous hold, if any; it is released (rolled back below if refused).
                release={"cancelled_at": now, "reason": HOLD_RELEASED, "replacing": replacing},
            )
            if replacing is not ANY_HOLD and counts["hold_changed"]:  # not the hold the caller saw
                raise ValidationError(HOLD_CHANGED, code="hold_changed")
            _refuse_hoarding(counts=counts)
            _refuse_full(counts=counts, offer=offer)
            counted = _hold_keeps_place(offer=offer, counts=counts)
            if not counted:  # given, but over a hold budget: it keeps no place from others
                refusal_count(limit="hold-budget")
            appointment.slot, appointment.hold_counted = slot, counted
            _insert(appointment)
    except _Refused as refused:
        raise _unavailable(refused, unit=unit, procedure=procedure, starts_at=starts_at, now=now) from None
    availability_changed()  # after the commit: the slot's lock is not held while the cache is told
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
    booked = {
        "status": AppointmentStatus.BOOKED,
        "reference": reference,
        "holder_name": holder_name,
        "id_number": id_number,
        "phone": phone,
        "booked_at": now,
        "hold_expires_at": None,
    }
    # Validated before the transaction (the lock is held for statements, not for Python's checks).
    current = copy.copy(appointment)
    for field, value in booked.items():
        setattr(current, field, value)
    current.full_clean(exclude=["slot", "unit", "procedure"], validate_constraints=False)
    try:
        if starts_at <= now:
            raise _Refused(SLOT_PAST, "past")
        # Days off and closures added since the hold was taken refuse it; lead time and horizon do not apply.
        offer = _check_offered(unit=unit, procedure=procedure, starts_at=starts_at, now=now, enforce_window=False)
        with _locked_transaction():
            # The appointment row and its slot row, locked after the identity keys (see `_lock`). A concurrent move
            # of the appointment makes the join find no row: the second lock statement, a new snapshot, sees it.
            locked_row = (
                "SELECT a.status || ':' || a.slot_id || ':' || CASE WHEN a.reference = %s THEN 1 ELSE 0 END "  # noqa: S608
                "|| ':' || CASE WHEN a.status = %s AND a.hold_counted AND a.hold_expires_at > %s THEN 1 ELSE 0 END "
                f"FROM {_APPOINTMENTS} a JOIN {_SLOTS} s ON s.id = a.slot_id WHERE a.id = %s{_for_update('a, s')}"
            )
            lock_params = (reference, AppointmentStatus.HELD.value, _db_time(now), appointment.pk)
            keys = (f"id:{procedure.pk}:{id_number}" if id_number else "", f"phone:{phone}")
            (state,) = _lock(keys, rows=(locked_row,), params=lock_params)
            if state is None:
                (state,) = _lock(rows=(locked_row,), params=lock_params)
            if state is None:
                raise ValidationError(NOT_HELD, code="not_held")
            status, slot_id, same_reference, keeps_place = state.split(":")
            if status == AppointmentStatus.BOOKED and same_reference == "1":
                return Appointment.objects.select_related("slot").get(pk=appointment.pk)
            if status not in (AppointmentStatus.HELD, AppointmentStatus.EXPIRED):
                raise ValidationError(NOT_HELD, code="not_held")
            if int(slot_id) != appointment.slot_id:  # moved meanwhile: check the time it has now
                current = Appointment.objects.select_related("slot", "unit").get(pk=appointment.pk)
                for field, value in booked.items():
                    setattr(current, field, value)
                offer = _check_offered(
                    unit=current.unit,
                    procedure=procedure,
                    starts_at=current.slot.starts_at,
                    now=now,
                    enforce_window=False,
                )
            counts = _counts(
                slot_id=current.slot_id,
                procedure_id=procedure.pk,
                now=now,
                phone=phone,
                id_number=id_number,
                exclude_pk=current.pk,  # and its holder's other live holds (holder_key None: the locked row's)
            )
            _refuse_hoarding(counts=counts)
            # Counting the others (this hold excluded) is right both for a live hold, which already counts, and
            # for an expired one, which gets its place back only when one is free; a lowered capacity is honoured.
            _refuse_full(counts=counts, offer=offer)
            with statement_cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_APPOINTMENTS} SET status = %s, reference = %s, holder_name = %s, id_number = %s, "  # noqa: S608
                    "phone = %s, booked_at = %s, hold_expires_at = NULL WHERE id = %s",
                    [
                        AppointmentStatus.BOOKED.value,
                        reference,
                        holder_name,
                        id_number,
                        phone,
                        _db_time(now),
                        current.pk,
                    ],
                )
    except _Refused as refused:
        raise _unavailable(refused, unit=unit, procedure=procedure, starts_at=starts_at, now=now) from None
    if keeps_place == "0":
        # A live hold within the budgets already took its place: booking it changes no count (the cached
        # availability stays true). An expired or uncounted hold takes a place now (told after the commit).
        availability_changed()
    return current


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime,
    unit: PoliceUnit | None = None,
    by_officer: bool = False,
    notify: Notify | None = None,
    now: datetime | None = None,
    moves_seen: int | None = None,
) -> Appointment:
    """Move a held or booked appointment to `starts_at` (at `unit`, default its own), atomically: the new place
    is taken and the old one freed in one transaction, or nothing changes. Same row, same reference.

    `moves_seen`: the appointment's `reschedule_count` the caller's page showed; if it was moved since (another
    tab, another device), nothing is moved and ValidationError(code="moved_elsewhere") is raised, checked under the
    appointment's row lock so that of two racing moves from the same page only one applies.

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
        with _locked_transaction():
            _lock(rows=(f"SELECT id FROM {_APPOINTMENTS} WHERE id = %s{_for_update()}",), params=(appointment.pk,))  # noqa: S608
            current = Appointment.objects.get(pk=appointment.pk)
            if current.status not in (AppointmentStatus.HELD, AppointmentStatus.BOOKED):
                raise ValidationError(CANNOT_MOVE, code="cannot_move")
            if moves_seen is not None and current.reschedule_count != moves_seen:
                raise ValidationError(MOVED_ELSEWHERE, code="moved_elsewhere")
            slot = _lock_slot_at((), unit=unit, starts_at=starts_at, ends_at=offer.ends_at)
            counts = _counts(slot_id=slot.pk, procedure_id=procedure.pk, now=now, exclude_pk=current.pk)
            _refuse_full(counts=counts, offer=offer)
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
