"""Reads of the appointment engine: which times a unit offers, how many places are left, the nearest free ones.

A unit offers a slot when it has an active `BookingSchedule`, handles the procedure, the day is neither a
Vietnamese public holiday (`holidays` library) nor an `OfficialDay` off (unless swapped in as a working day), the
slot lies inside one of the unit's `OpeningHours` sessions and outside its `Closure`s, and the slot starts after
now + lead time and no later than the horizon. Places taken are bookings plus holds that have not expired.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache, partial
from uuid import uuid4

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.prepared import PreparedRead
from apps.procedures.models import Procedure
from apps.units.models import OpeningHours, PoliceUnit

from .models import (
    TAKING_PLACE,
    Appointment,
    AppointmentStatus,
    BookingSchedule,
    Closure,
    OfficialDay,
    OfficialDayKind,
    ProcedureCapacity,
)


# --- Values handed to callers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotOption:
    """A time of a unit with its places (`free` is for the procedure asked about)."""

    unit: PoliceUnit
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    free: int

    @property
    def is_full(self) -> bool:
        return self.free <= 0

    @property
    def value(self) -> str:
        """What a form posts for this choice: unit id and local start, e.g. ``12@202612010730``."""
        return f"{self.unit.pk}@{self.local_start:%Y%m%d%H%M}"

    @property
    def html_id(self) -> str:
        """An element id for this choice that is also a plain CSS identifier."""
        return f"slot-{self.unit.pk}-{self.local_start:%Y%m%d%H%M}"

    @cached_property
    def local_start(self) -> datetime:
        return timezone.localtime(self.starts_at)

    @cached_property
    def local_end(self) -> datetime:
        return timezone.localtime(self.ends_at)


class DayStatus:
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"


class ClosedBecause:
    DAY_OFF = "day_off"  # public holiday or official day off
    CLOSURE = "closure"  # the unit's own closure
    NOT_OPEN = "not_open"  # no opening hours that weekday
    TOO_LATE = "too_late"  # every slot of the day is inside the lead time


class DayAvailability:
    """One day of a unit for a procedure. `slots` (the times with their places) are built on first use: a list of
    days only needs each day's status and free places."""

    def __init__(
        self,
        *,
        day: date,
        status: str,
        reason: str = "",
        closed_because: str = "",
        slots: list[SlotOption] | None = None,
        free: int | None = None,
        slot_factory=None,
    ):
        self.day, self.status, self.reason, self.closed_because = day, status, reason, closed_because
        self._slots = slots
        self._free = free
        self._slot_factory = slot_factory

    def __repr__(self) -> str:
        return f"DayAvailability(day={self.day!r}, status={self.status!r}, reason={self.reason!r})"

    @property
    def slots(self) -> list[SlotOption]:
        if self._slots is None:
            self._slots = self._slot_factory() if self._slot_factory is not None else []
        return self._slots

    @property
    def free(self) -> int:
        if self._free is None:
            self._free = sum(max(s.free, 0) for s in self.slots)
        return self._free

    @property
    def is_open(self) -> bool:
        return self.status == DayStatus.OPEN

    @property
    def is_full(self) -> bool:
        return self.status == DayStatus.FULL

    @property
    def is_closed(self) -> bool:
        return self.status == DayStatus.CLOSED

    @property
    def free_slots(self) -> list[SlotOption]:
        return [s for s in self.slots if s.free > 0]


# --- Calendar -------------------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _public_holidays(year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi" if language == "vi" else "en_US")


@lru_cache(maxsize=32)
def _public_holiday_names(year: int, language: str) -> dict[date, str]:
    return dict(_public_holidays(year, language).items())


def public_holiday_name(day: date) -> str | None:
    """The name of the Vietnamese public holiday on `day` (in the current language), or None."""
    language = translation.get_language() or "vi"
    return _public_holiday_names(day.year, language).get(day)


@lru_cache(maxsize=32)
def _library_working_days(year: int) -> frozenset[date]:
    return frozenset(_public_holidays(year, "vi").weekend_workdays)


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


# The calendar's and availability's reads run on every view of the slot picker that is not cached: compiled once
# per process (apps.core.prepared).
_UNIT_SESSIONS = PreparedRead(
    lambda unit: (
        OpeningHours.objects.filter(unit=unit).order_by("weekday", "opens").values_list("weekday", "opens", "closes")
    ),
    unit=int,
)
_OFFICIAL_DAYS = PreparedRead(
    lambda start, end: OfficialDay.objects.filter(date__range=(start, end)).order_by("date"), start=date, end=date
)
_UNIT_CLOSURES = PreparedRead(
    lambda unit, before, after: Closure.objects.filter(unit=unit, starts_at__lt=before, ends_at__gt=after).order_by(
        "starts_at"
    ),
    unit=int,
    before=datetime,
    after=datetime,
)


class UnitCalendar:
    """A unit's offered slot times between two dates, loaded with a fixed number of queries."""

    def __init__(self, *, unit: PoliceUnit, schedule: BookingSchedule, start: date, end: date):
        self.unit = unit
        self.schedule = schedule
        self.start, self.end = start, end
        self.sessions: dict[int, list[tuple[time, time]]] = {}
        for weekday, opens, closes in _UNIT_SESSIONS(unit=unit.pk):
            self.sessions.setdefault(weekday, []).append((opens, closes))
        self.official = {d.date: d for d in _OFFICIAL_DAYS(start=start, end=end)}
        self.closures = _UNIT_CLOSURES(
            unit=unit.pk, before=_local(end + timedelta(days=1), time()), after=_local(start, time())
        )

    @classmethod
    def for_schedules(cls, *, schedules: list[BookingSchedule], start: date, end: date) -> dict[int, UnitCalendar]:
        """Unit id → calendar of each schedule's unit, loaded with three queries for all of them (statistics)."""
        unit_ids = [s.unit_id for s in schedules]
        sessions: dict[int, dict[int, list[tuple[time, time]]]] = {}
        for row in OpeningHours.objects.filter(unit__in=unit_ids).order_by("unit", "weekday", "opens"):
            sessions.setdefault(row.unit_id, {}).setdefault(row.weekday, []).append((row.opens, row.closes))
        official = {d.date: d for d in OfficialDay.objects.filter(date__range=(start, end))}
        closures: dict[int, list[Closure]] = {}
        for closure in Closure.objects.filter(
            unit__in=unit_ids, starts_at__lt=_local(end + timedelta(days=1), time()), ends_at__gt=_local(start, time())
        ).order_by("starts_at"):
            closures.setdefault(closure.unit_id, []).append(closure)
        calendars = {}
        for schedule in schedules:
            calendar = cls.__new__(cls)
            calendar.unit, calendar.schedule, calendar.start, calendar.end = schedule.unit, schedule, start, end
            calendar.sessions = sessions.get(schedule.unit_id, {})
            calendar.official = official
            calendar.closures = closures.get(schedule.unit_id, [])
            calendars[schedule.unit_id] = calendar
        return calendars

    def day_off_reason(self, day: date) -> str | None:
        official = self.official.get(day)
        if official is not None:
            if official.kind == OfficialDayKind.WORKING_DAY:
                return None
            return official.name_en if translation.get_language() == "en" and official.name_en else official.name
        return public_holiday_name(day)

    def _weekday_sessions(self, day: date) -> list[tuple[time, time]]:
        official = self.official.get(day)
        if official is not None and official.kind == OfficialDayKind.WORKING_DAY:
            return self.sessions.get(official.hours_of_weekday, [])
        if day.weekday() >= 5 and day in _library_working_days(day.year):
            # A Saturday worked in exchange for a bridge day off keeps ordinary weekday hours.
            return self.sessions.get(0, [])
        return self.sessions.get(day.weekday(), [])

    def slot_stamps(self, day: date) -> tuple[tuple[tuple[int, int], ...], str, str]:
        """The slot times of `day` as POSIX seconds (start, end) and, when there are none, why (text and a
        `ClosedBecause` value). Each session's start and end are placed in the local time zone; the slots between
        are counted in elapsed seconds (a horizon holds thousands of slots: integers keep this cheap)."""
        reason = self.day_off_reason(day)
        if reason:
            return (), reason, ClosedBecause.DAY_OFF
        step = self.schedule.slot_minutes * 60
        times: list[tuple[int, int]] = []
        closed_by: Closure | None = None
        closures = self._closure_stamps
        for opens, closes in self._weekday_sessions(day):
            start, session_end = int(_local(day, opens).timestamp()), int(_local(day, closes).timestamp())
            for s in range(start, session_end - step + 1, step):
                e = s + step
                closure = next((c for cs, ce, c in closures if cs < e and ce > s), None) if closures else None
                if closure is None:
                    times.append((s, e))
                else:
                    closed_by = closure
        if not times:
            if closed_by is not None:
                return (), closed_by.display_reason, ClosedBecause.CLOSURE
            return (), _("Not open on this day"), ClosedBecause.NOT_OPEN
        return tuple(times), "", ""

    @cached_property
    def _closure_stamps(self) -> list[tuple[float, float, Closure]]:
        return [(c.starts_at.timestamp(), c.ends_at.timestamp(), c) for c in self.closures]

    def slot_times(self, day: date) -> tuple[list[tuple[datetime, datetime]], str, str]:
        """The slot times of `day` (local datetimes) and, when there are none, why (see `slot_stamps`)."""
        stamps, reason, because = self.slot_stamps(day)
        zone = timezone.get_default_timezone()
        return [(datetime.fromtimestamp(s, zone), datetime.fromtimestamp(e, zone)) for s, e in stamps], reason, because


# --- Places taken ---------------------------------------------------------------------------------------------
def appointment_filter_taking_place(*, now: datetime) -> Q:
    """Appointments that occupy a place: bookings (and their outcomes) and holds that have not expired and are
    within the hold budget (`Appointment.hold_counted`)."""
    return Q(status__in=TAKING_PLACE) | Q(status=AppointmentStatus.HELD, hold_expires_at__gt=now, hold_counted=True)


def schedule_procedure_capacity(*, schedule: BookingSchedule, procedure: Procedure | None) -> int | None:
    if procedure is None:
        return None
    row = schedule.procedure_capacities.filter(procedure=procedure).first()
    return row.capacity if row else None


def slot_free_places(*, capacity: int, procedure_capacity: int | None, taken: int, taken_same: int) -> int:
    free = capacity - taken
    if procedure_capacity is not None:
        free = min(free, procedure_capacity - taken_same)
    return max(free, 0)


# --- Public selectors -----------------------------------------------------------------------------------------
def schedule_get_active(*, unit: PoliceUnit) -> BookingSchedule | None:
    return BookingSchedule.objects.filter(unit=unit, is_active=True, unit__is_active=True).first()


def procedure_is_handled(*, unit: PoliceUnit, procedure: Procedure) -> bool:
    return procedure.is_active and procedure.units.filter(pk=unit.pk).exists()


def booking_window(*, schedule: BookingSchedule, now: datetime) -> tuple[datetime, date]:
    """The earliest bookable start (lead time) and the last bookable day (horizon)."""
    earliest = now + timedelta(hours=schedule.lead_time_hours)
    last_day = timezone.localdate(now) + timedelta(days=schedule.horizon_days)
    return earliest, last_day


# --- Cached availability ----------------------------------------------------------------------------------------
# What a unit offers over its whole horizon (slot times, reasons for closed days, places taken) is computed once
# and cached under a version key. Every change that can alter it bumps the version: saves and deletes of
# appointments, slots, schedules, capacities, official days, closures, opening hours, units and procedures
# (signals.py), and the queryset updates of services.py (they call `availability_changed`). Hold expiry needs no
# bump: a snapshot is only used until the first hold it counts expires. Lead time and the citizen's own hold are
# applied on every read, so they stay exact. The TTL is only a backstop.
AVAILABILITY_VERSION_KEY = "appointments:availability:version"
AVAILABILITY_SECONDS = 10 * 60
# Without REDIS_URL the cache is local to each process: a bump in one worker is not seen by the others, so there
# cached availability lives only a few seconds (still saving the work of every request in between).
AVAILABILITY_LOCAL_SECONDS = 5


def availability_cache_seconds() -> int:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return AVAILABILITY_LOCAL_SECONDS if backend.endswith(("LocMemCache", "DummyCache")) else AVAILABILITY_SECONDS


def availability_version() -> str:
    version = cache.get(AVAILABILITY_VERSION_KEY)
    if version is None:
        cache.add(AVAILABILITY_VERSION_KEY, uuid4().hex, None)
        version = cache.get(AVAILABILITY_VERSION_KEY) or ""
    return version


def availability_version_bump() -> None:
    cache.set(AVAILABILITY_VERSION_KEY, uuid4().hex, None)


def availability_changed() -> None:
    """Forget cached availability: inside a transaction now and again when it commits (a page computed in between
    from the not yet committed state is then never served under the new version); outside one (a service calls it
    after its own transaction has committed, so that no lock waits for the cache), once."""
    availability_version_bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(availability_version_bump)


# What `services._check_offered` reads for one unit, procedure and day (the schedule with the procedure's places,
# opening hours, official days, closures: four queries) changes only when an officer edits the calendar, not when
# someone books. It is cached under its own version, bumped by the same signals except those of appointments and
# slots (signals.py), so a hold and its booking seconds later read it once.
CALENDAR_VERSION_KEY = "appointments:calendar:version"


def calendar_version() -> str:
    version = cache.get(CALENDAR_VERSION_KEY)
    if version is None:
        cache.add(CALENDAR_VERSION_KEY, uuid4().hex, None)
        version = cache.get(CALENDAR_VERSION_KEY) or ""
    return version


def calendar_version_bump() -> None:
    cache.set(CALENDAR_VERSION_KEY, uuid4().hex, None)


def calendar_changed() -> None:
    """Forget cached calendars now and again when the current transaction commits (see `availability_changed`)."""
    calendar_version_bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(calendar_version_bump)


def offer_calendar_get(
    *, unit: PoliceUnit, procedure: Procedure, day: date
) -> tuple[BookingSchedule | None, UnitCalendar | None]:
    """The unit's active schedule for `procedure` (with `procedure_capacity`, None when the unit does not take
    bookings for it) and its calendar of `day`; cached (see CALENDAR_VERSION_KEY) outside transactions of our own."""

    def load() -> tuple[BookingSchedule | None, UnitCalendar | None]:
        schedule = (
            BookingSchedule.objects.filter(unit=unit, is_active=True, unit__is_active=True, unit__procedures=procedure)
            .annotate(
                procedure_capacity=Subquery(
                    ProcedureCapacity.objects.filter(schedule=OuterRef("pk"), procedure=procedure).values("capacity")[
                        :1
                    ]
                )
            )
            .first()
        )
        if schedule is None:
            return None, None
        return schedule, UnitCalendar(unit=unit, schedule=schedule, start=day, end=day)

    if not availability_cache_usable():
        return load()
    version = calendar_version()
    key = f"appointments:offer:{unit.pk}:{procedure.pk}:{day:%Y-%m-%d}:{version}"
    now = time_module.monotonic()
    kept = _OFFERS_KEPT.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    found = cache.get(key)
    if found is None:
        found = load()
        cache.set(key, found, availability_cache_seconds())
    if version:  # a version read from the shared cache (none when it is down or a DummyCache: nothing kept)
        if len(_OFFERS_KEPT) >= _OFFERS_KEPT_MAX:
            _OFFERS_KEPT.clear()
        _OFFERS_KEPT[key] = (now + availability_cache_seconds(), found)
    return found


# This process's copies of offers, under the same versioned keys as the shared cache: a hold and its booking (and
# every booking of a busy day) skip fetching and unpickling the calendar again. The version is still read from the
# shared cache on every call, so an officer's edit (a new version) is seen by every web node at once. Read-only:
# `services._check_offered` only reads them.
_OFFERS_KEPT: dict[str, tuple[float, tuple[BookingSchedule | None, UnitCalendar | None]]] = {}
_OFFERS_KEPT_MAX = 512


def availability_cache_usable() -> bool:
    """False inside a transaction of our own: what it sees may still be rolled back (a rollback bumps nothing),
    so it neither reads nor stores cached availability. (A test's wrapping transaction does not count.)"""
    return not any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def _offering_schedules(unit: int, procedure: int) -> QuerySet[BookingSchedule]:
    return (
        BookingSchedule.objects.filter(unit=unit, is_active=True, unit__is_active=True, unit__procedures=procedure)
        .annotate(
            procedure_capacity=Subquery(
                ProcedureCapacity.objects.filter(schedule=OuterRef("pk"), procedure=procedure).values("capacity")[:1]
            )
        )
        .order_by("pk")[:1]
    )


_OFFERING_SCHEDULE = PreparedRead(_offering_schedules, unit=int, procedure=int)


def _offering_schedule(*, unit: PoliceUnit, procedure: Procedure) -> BookingSchedule | None:
    """The unit's active schedule when it takes bookings for `procedure` (active, handled by the unit), with the
    procedure's own places as `procedure_capacity` (None: no limit of its own); one query."""
    if not procedure.is_active:
        return None
    found = _OFFERING_SCHEDULE(unit=unit.pk, procedure=procedure.pk)
    if not found:
        return None
    found[0].unit = unit
    return found[0]


def _places_taken(unit: int, procedure: int, start: datetime, end: datetime, now: datetime) -> QuerySet:
    """Places taken per slot start over [start, end): all, of `procedure`, and the first counted hold to expire."""
    return (
        Appointment.objects.filter(unit=unit, slot__starts_at__gte=start, slot__starts_at__lt=end)
        .filter(appointment_filter_taking_place(now=now))
        .values("slot__starts_at")
        .annotate(
            total=Count("id"),
            same=Count("id", filter=Q(procedure=procedure)),
            expiry=Min("hold_expires_at", filter=Q(status=AppointmentStatus.HELD)),
        )
        .order_by()
        .values_list("slot__starts_at", "total", "same", "expiry")
    )


_PLACES_TAKEN = PreparedRead(_places_taken, unit=int, procedure=int, start=datetime, end=datetime, now=datetime)


def _availability_compute(*, unit: PoliceUnit, procedure: Procedure, now: datetime) -> dict:
    """What the unit offers over its horizon for `procedure`: five queries (schedule, hours, official days,
    closures, places taken per slot: one aggregate over the horizon), then integer arithmetic per slot."""
    schedule = _offering_schedule(unit=unit, procedure=procedure)
    if schedule is None:
        return {"offered": False, "computed_at": now, "valid_until": None}
    today = timezone.localdate(now)
    last_day = today + timedelta(days=schedule.horizon_days)
    calendar = UnitCalendar(unit=unit, schedule=schedule, start=today, end=last_day)
    rows = _PLACES_TAKEN(
        unit=unit.pk,
        procedure=procedure.pk,
        start=_local(today, time()),
        end=_local(last_day + timedelta(days=1), time()),
        now=now,
    )
    counts: dict[int, tuple[int, int]] = {}
    valid_until: datetime | None = None
    for starts_at, total, same, expiry in rows:
        counts[int(starts_at.timestamp())] = (total, same)
        if expiry is not None and (valid_until is None or expiry < valid_until):
            valid_until = expiry
    capacity, procedure_capacity = schedule.capacity, schedule.procedure_capacity
    days = []
    day = today
    while day <= last_day:
        times, reason, because = calendar.slot_stamps(day)
        # Times as POSIX seconds: a horizon holds thousands of slots, and ints are cheap to (un)pickle.
        if counts:
            rows = tuple((s, e, *counts.get(s, (0, 0))) for s, e in times)
            free = sum(_free_places(capacity, procedure_capacity, taken, same) for _s, _e, taken, same in rows)
        else:  # nothing taken over the whole horizon (a new unit, a quiet period)
            rows = tuple((s, e, 0, 0) for s, e in times)
            free = len(rows) * _free_places(capacity, procedure_capacity, 0, 0)
        days.append((day, rows, reason, because, free))
        day += timedelta(days=1)
    return {
        "offered": True,
        "computed_at": now,
        "valid_until": valid_until,
        "capacity": capacity,
        "procedure_capacity": procedure_capacity,
        "lead_time_hours": schedule.lead_time_hours,
        "last_day": last_day,
        "days": days,
    }


def availability_snapshot_get(*, unit: PoliceUnit, procedure: Procedure, now: datetime) -> dict:
    """What the unit offers over its horizon at `now` (see `_availability_compute`), from the cache when still
    valid. A caller that needs both the days (`slot_list_available`) and how long they hold
    (`availability_valid_until`) reads it once and hands it to both."""
    if not availability_cache_usable():
        return _availability_compute(unit=unit, procedure=procedure, now=now)
    language = translation.get_language() or "vi"
    key = (
        f"appointments:availability:{availability_version()}:{unit.pk}:{procedure.pk}:{language}:"
        f"{timezone.localdate(now).isoformat()}"
    )
    snapshot = cache.get(key)
    if (
        snapshot is not None
        and snapshot["computed_at"] <= now
        and (snapshot["valid_until"] is None or now < snapshot["valid_until"])
    ):
        return snapshot
    snapshot = _availability_compute(unit=unit, procedure=procedure, now=now)
    cache.set(key, snapshot, availability_cache_seconds())
    return snapshot


def availability_valid_until(
    *, unit: PoliceUnit, procedure: Procedure, now: datetime, snapshot: dict | None = None
) -> datetime:
    """Until when what `slot_list_available` returns now stays the same without any write: the first counted hold
    expiring, or the first bookable time passing into the lead time (writes bump the version instead)."""
    limit = now + timedelta(seconds=AVAILABILITY_SECONDS)
    if snapshot is None:
        snapshot = availability_snapshot_get(unit=unit, procedure=procedure, now=now)
    if not snapshot["offered"]:
        return limit
    if snapshot["valid_until"] is not None:
        limit = min(limit, snapshot["valid_until"])
    lead = snapshot["lead_time_hours"] * 3600
    earliest = now.timestamp() + lead
    for _day, times, _reason, _because, _free in snapshot["days"]:
        first = next((row[0] for row in times if row[0] >= earliest), None)
        if first is not None:
            return min(limit, datetime.fromtimestamp(first - lead, timezone.get_default_timezone()))
    return limit


def _own_holds(*, unit: PoliceUnit, procedure: Procedure, holder_key: str, now: datetime) -> dict[int, int]:
    own: dict[int, int] = {}
    for starts_at in Appointment.objects.filter(
        unit=unit,
        procedure=procedure,
        holder_key=holder_key,
        status=AppointmentStatus.HELD,
        hold_expires_at__gt=now,
        hold_counted=True,
    ).values_list("slot__starts_at", flat=True):
        key = int(starts_at.timestamp())
        own[key] = own.get(key, 0) + 1
    return own


def slot_list_available(
    *,
    unit: PoliceUnit,
    procedure: Procedure,
    start: date,
    end: date,
    now: datetime | None = None,
    holder_key: str = "",
    by_officer: bool = False,
    snapshot: dict | None = None,
) -> list[DayAvailability]:
    """Each day from `start` to `end` that citizens may still book (today onwards, up to the horizon).

    A day is OPEN (some place free), FULL (every offered slot taken) or CLOSED with a reason (public holiday,
    official day off, closure, not open that weekday, or too late to book for it). Slots carry their free places
    for `procedure`, full ones included, so a picker can show them as taken. With `holder_key`, that citizen's
    own live hold for the procedure is not counted (picking another time releases it).

    Reads the cached availability snapshot (a fixed, small number of queries; see `availability_snapshot_get`), or
    `snapshot`, one the caller read at the same `now`.
    """
    now = now or timezone.now()
    if snapshot is None:
        snapshot = availability_snapshot_get(unit=unit, procedure=procedure, now=now)
    if not snapshot["offered"]:
        return []
    # An officer booking at the counter (a walk-in, a phone call) is not held to the citizens' lead time: any
    # slot that has not begun.
    lead = timedelta(microseconds=1) if by_officer else timedelta(hours=snapshot["lead_time_hours"])
    earliest = (now + lead).timestamp()
    zone = timezone.get_default_timezone()
    start = max(start, timezone.localdate(now))
    end = min(end, snapshot["last_day"])
    if end < start:
        return []
    own = _own_holds(unit=unit, procedure=procedure, holder_key=holder_key, now=now) if holder_key else {}
    own_days = {datetime.fromtimestamp(starts_at, zone).date() for starts_at in own}
    capacity, procedure_capacity = snapshot["capacity"], snapshot["procedure_capacity"]

    def slot_options(rows) -> list[SlotOption]:
        slots = []
        for s, e, taken, same in rows:
            if s in own:
                taken, same = taken - own[s], same - own[s]
            free = _free_places(capacity, procedure_capacity, taken, same)
            starts_at, ends_at = datetime.fromtimestamp(s, zone), datetime.fromtimestamp(e, zone)
            slots.append(
                SlotOption(unit=unit, starts_at=starts_at, ends_at=ends_at, capacity=capacity, taken=taken, free=free)
            )
        return slots

    too_late = _("Too late to book for this day")
    days: list[DayAvailability] = []
    for day, times, reason, because, free in snapshot["days"]:
        if day < start:
            continue
        if day > end:
            break
        bookable = times if not times or times[0][0] >= earliest else tuple(t for t in times if t[0] >= earliest)
        if not bookable:
            if times:
                reason, because = too_late, ClosedBecause.TOO_LATE
            days.append(DayAvailability(day=day, status=DayStatus.CLOSED, reason=reason, closed_because=because))
            continue
        if bookable is times and day not in own_days:
            # The common case: the day's free places were counted when the snapshot was made.
            status = DayStatus.OPEN if free else DayStatus.FULL
            factory = partial(slot_options, bookable)
            days.append(DayAvailability(day=day, status=status, free=free, slot_factory=factory))
            continue
        slots = slot_options(bookable)
        free = sum(s.free for s in slots)
        days.append(DayAvailability(day=day, status=DayStatus.OPEN if free else DayStatus.FULL, slots=slots, free=free))
    return days


def _free_places(capacity: int, procedure_capacity: int | None, taken: int, same: int) -> int:
    free = capacity - taken
    if procedure_capacity is not None and procedure_capacity - same < free:
        free = procedure_capacity - same
    return free if free > 0 else 0


def unit_list_for_procedure(*, procedure: Procedure, unit_qs: QuerySet[PoliceUnit] | None = None) -> QuerySet:
    """Active units handling `procedure` that take appointments online."""
    qs = unit_qs if unit_qs is not None else PoliceUnit.objects.all()
    return qs.filter(is_active=True, procedures=procedure, booking_schedule__is_active=True).distinct()


def slot_list_nearest(
    *,
    unit: PoliceUnit,
    procedure: Procedure,
    near: datetime,
    limit: int = 3,
    other_units: int = 3,
    now: datetime | None = None,
    exclude: Iterable[tuple[int, datetime]] = (),
) -> list[SlotOption]:
    """The free slots nearest to `near`: up to `limit` at the same unit, then one each at up to `other_units`
    other units handling the procedure (the nearest first)."""
    now = now or timezone.now()
    skip = set(exclude)
    today = timezone.localdate(now)

    def nearest_at(candidate: PoliceUnit, count: int) -> list[SlotOption]:
        end = today + timedelta(days=180)  # clamped to the unit's horizon
        days = slot_list_available(unit=candidate, procedure=procedure, start=today, end=end, now=now)
        free = [s for d in days for s in d.free_slots if (candidate.pk, s.starts_at) not in skip]
        free.sort(key=lambda s: (abs((s.starts_at - near).total_seconds()), s.starts_at))
        return free[:count]

    same = nearest_at(unit, limit)
    others: list[SlotOption] = []
    if other_units:
        for other in unit_list_for_procedure(procedure=procedure).exclude(pk=unit.pk):
            others.extend(nearest_at(other, 1))
        others.sort(key=lambda s: (abs((s.starts_at - near).total_seconds()), s.unit.order))
    return same + others[:other_units]


def appointment_list_for_holder(*, holder_key: str, procedure: Procedure | None = None) -> QuerySet[Appointment]:
    qs = Appointment.objects.filter(holder_key=holder_key).select_related("slot", "unit", "procedure")
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    return qs


def appointment_get_active_hold(*, holder_key: str, procedure: Procedure, now: datetime | None = None):
    """The citizen's current hold for `procedure` (None when it has expired or was booked)."""
    now = now or timezone.now()
    return (
        appointment_list_for_holder(holder_key=holder_key, procedure=procedure)
        .filter(status=AppointmentStatus.HELD, hold_expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class AffectedAppointment:
    appointment: Appointment
    reason: str


def appointment_list_affected(
    *, unit: PoliceUnit, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> list[AffectedAppointment]:
    """Upcoming bookings of `unit` that its current schedule can no longer honour: the slot falls on a day off,
    inside a closure or outside opening hours, or more people are booked than the slot now has places (the
    latest bookings are the ones listed). Officers move them with `appointment_reschedule`."""
    now = now or timezone.now()
    start = max(start or timezone.localdate(now), timezone.localdate(now))
    booked = list(
        Appointment.objects.filter(
            unit=unit, status=AppointmentStatus.BOOKED, slot__starts_at__gte=max(now, _local(start, time()))
        )
        .filter(**({"slot__starts_at__lt": _local(end + timedelta(days=1), time())} if end else {}))
        .select_related("slot", "procedure")
        .order_by("slot__starts_at", "booked_at", "id")
    )
    if not booked:
        return []
    schedule = BookingSchedule.objects.filter(unit=unit).first()
    if schedule is None or not schedule.is_active:
        reason = _("The unit no longer takes appointments online")
        return [AffectedAppointment(appointment=a, reason=reason) for a in booked]
    last = timezone.localdate(booked[-1].slot.starts_at)
    calendar = UnitCalendar(unit=unit, schedule=schedule, start=start, end=last)
    capacities = {row.procedure_id: row.capacity for row in schedule.procedure_capacities.all()}
    offered: dict[date, tuple[set[datetime], str]] = {}
    affected: list[AffectedAppointment] = []
    per_slot: dict[datetime, int] = {}
    per_slot_procedure: dict[tuple[datetime, int], int] = {}
    for appointment in booked:
        starts_at = appointment.slot.starts_at
        day = timezone.localdate(starts_at)
        if day not in offered:
            times, why, _because = calendar.slot_times(day)
            offered[day] = ({s for s, e in times if e == s + timedelta(minutes=schedule.slot_minutes)}, why)
        times, why = offered[day]
        if starts_at not in times:
            closure = next(
                (c for c in calendar.closures if c.starts_at < appointment.slot.ends_at and c.ends_at > starts_at),
                None,
            )
            reason = closure.display_reason if closure else (why or _("Outside the opening hours"))
            affected.append(AffectedAppointment(appointment=appointment, reason=reason))
            continue
        per_slot[starts_at] = per_slot.get(starts_at, 0) + 1
        key = (starts_at, appointment.procedure_id)
        per_slot_procedure[key] = per_slot_procedure.get(key, 0) + 1
        limit = capacities.get(appointment.procedure_id)
        if per_slot[starts_at] > schedule.capacity or (limit is not None and per_slot_procedure[key] > limit):
            affected.append(AffectedAppointment(appointment=appointment, reason=_("More bookings than places")))
            # The one listed is moved away, so it no longer counts against the places of those after it.
            per_slot[starts_at] -= 1
            per_slot_procedure[key] -= 1
    return affected


@dataclass(frozen=True)
class WeekCell:
    offered: bool
    capacity: int = 0
    booked: int = 0
    held: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked - self.held, 0)

    @property
    def over(self) -> int:
        """Bookings beyond the places (after a capacity change), or bookings in a slot no longer offered."""
        if not self.offered:
            return self.booked
        return max(self.booked - self.capacity, 0)


@dataclass
class WeekDay:
    day: date
    closed_reason: str


@dataclass
class WeekOverview:
    schedule: BookingSchedule
    days: list[WeekDay]
    rows: list[tuple[time, list[WeekCell]]]
    closures: list[Closure]

    @property
    def totals(self) -> list[tuple[int, int]]:
        """(booked, places) per day."""
        result = []
        for index in range(len(self.days)):
            cells = [cells[index] for _t, cells in self.rows]
            result.append((sum(c.booked for c in cells), sum(c.capacity for c in cells if c.offered)))
        return result


def slot_week_overview(*, schedule: BookingSchedule, start: date, now: datetime | None = None) -> WeekOverview:
    """Officers' view of a unit's week: per slot time and day, places, bookings and live holds.

    Times where nothing is offered but somebody is still booked (a closure or a change of hours after booking)
    are shown too, so no booking is ever out of sight.
    """
    now = now or timezone.now()
    unit = schedule.unit
    days = [start + timedelta(days=i) for i in range(7)]
    calendar = UnitCalendar(unit=unit, schedule=schedule, start=days[0], end=days[-1])
    offered: dict[tuple[date, time], bool] = {}
    week_days = []
    for day in days:
        times, reason, _because = calendar.slot_times(day)
        week_days.append(WeekDay(day=day, closed_reason=reason))
        for s, _e in times:
            offered[(day, timezone.localtime(s).time())] = True
    rows_qs = (
        Appointment.objects.filter(
            unit=unit, slot__starts_at__gte=_local(days[0], time()), slot__starts_at__lt=_local(days[-1], time.max)
        )
        .values("slot__starts_at")
        .annotate(
            booked=Count("id", filter=Q(status__in=TAKING_PLACE)),
            held=Count("id", filter=Q(status=AppointmentStatus.HELD, hold_expires_at__gt=now, hold_counted=True)),
        )
    )
    counts: dict[tuple[date, time], tuple[int, int]] = {}
    for row in rows_qs:
        local = timezone.localtime(row["slot__starts_at"])
        if row["booked"] or row["held"]:
            counts[(local.date(), local.time())] = (row["booked"], row["held"])
    all_times = sorted({t for _d, t in offered} | {t for _d, t in counts})
    rows = []
    for at_time in all_times:
        cells = []
        for day in days:
            booked, held = counts.get((day, at_time), (0, 0))
            is_offered = offered.get((day, at_time), False)
            cells.append(
                WeekCell(offered=is_offered, capacity=schedule.capacity if is_offered else 0, booked=booked, held=held)
            )
        rows.append((at_time, cells))
    return WeekOverview(schedule=schedule, days=week_days, rows=rows, closures=calendar.closures)
