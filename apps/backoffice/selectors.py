"""Reads of the back office: the dashboard's figures, always limited to the officer's units."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from apps.core import paging
from apps.core.codes import code_is_valid, code_normalize
from apps.core.paging import local_day_range

from .scoping import queryset_scope_to_user


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # For a ratio (slot utilisation): the whole the value is part of. None = bars scale to the largest value.
    total: int | None = None
    note: str = ""
    # The value is PostgreSQL's estimate, not a count (a big table's figure the dashboard need not count exactly).
    approximate: bool = False


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    empty_text: str = ""
    total_label: str = ""
    # Shown under the chart (e.g. which figures are estimates).
    note: str = ""

    @property
    def scale(self) -> int:
        return max((b.total if b.total is not None else b.value for b in self.bars), default=0) or 1

    @property
    def rows(self) -> list[dict]:
        """Bars with their width in percent of the chart, ready for an inline SVG."""
        rows = []
        for bar in self.bars:
            whole = bar.total if bar.total is not None else self.scale
            percent = round(100 * bar.value / whole) if whole else 0
            rows.append({"bar": bar, "percent": min(percent, 100), "ratio": bar.total is not None})
        return rows

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def dashboard_charts(*, user, today: date | None = None) -> list[Chart]:
    """The admin index's figures for the officer's units. Sections of apps not installed are left out."""
    from django.apps import apps

    today = today or timezone.localdate()
    charts: list[Chart] = []
    if apps.is_installed("apps.appointments") and user.has_perm("appointments.view_appointment"):
        charts += _booking_charts(user=user, today=today)
    for section in (_filings_by_state, _reports_waiting):
        chart = section(user=user)
        if chart is not None:
            charts.append(chart)
    charts.append(_state_changes_today(user=user, today=today))
    return charts


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _booking_charts(*, user, today: date) -> list[Chart]:
    """Bookings today and this week per unit, and how full this week's slots are (booked places / places)."""
    from apps.appointments.models import TAKING_PLACE, Appointment, BookingSchedule
    from apps.appointments.selectors import UnitCalendar

    monday, sunday = week_bounds(today)
    schedules = list(
        queryset_scope_to_user(
            BookingSchedule.objects.filter(is_active=True, unit__is_active=True).select_related("unit"),
            user=user,
            unit_field="unit",
        ).order_by("unit__order", "unit__name")
    )
    # Counted by the slot's unit (an appointment's unit is its slot's, copied) with COUNT(*): the week's slots by
    # their start index, then their bookings from the (slot, status) index alone, without reading the appointments'
    # rows (grouping by the appointment's own unit read them all: 240 ms for a week of 55,000 bookings, 12 ms now).
    booked = queryset_scope_to_user(
        Appointment.objects.filter(
            status__in=TAKING_PLACE,
            slot__starts_at__gte=_local_midnight(monday),
            slot__starts_at__lt=_local_midnight(sunday + timedelta(days=1)),
        ),
        user=user,
        unit_field="slot__unit",
    )
    week = dict(booked.values_list("slot__unit").annotate(n=Count("*")).values_list("slot__unit", "n"))
    day = dict(
        booked.filter(
            slot__starts_at__gte=_local_midnight(today), slot__starts_at__lt=_local_midnight(today + timedelta(days=1))
        )
        .values_list("slot__unit")
        .annotate(n=Count("*"))
        .values_list("slot__unit", "n")
    )
    units = [s.unit for s in schedules]
    # Units without a schedule but with bookings (a schedule turned off) still show their bookings.
    known = {u.pk for u in units}
    if set(week) - known:
        from apps.units.models import PoliceUnit

        units += list(PoliceUnit.objects.filter(pk__in=set(week) - known).order_by("order", "name"))
    utilisation = []
    calendars = UnitCalendar.for_schedules(schedules=schedules, start=monday, end=sunday)  # 3 queries for all units
    for schedule in schedules:
        calendar = calendars[schedule.unit_id]
        slots = sum(len(calendar.slot_times(monday + timedelta(days=i))[0]) for i in range(7))
        places = slots * schedule.capacity
        utilisation.append(Bar(label=str(schedule.unit), value=week.get(schedule.unit_id, 0), total=places))
    return [
        Chart(
            title=_("Bookings today"),
            bars=[Bar(label=str(u), value=day.get(u.pk, 0)) for u in units],
            empty_text=_("No unit takes appointments."),
        ),
        Chart(
            title=_("Bookings this week (%(start)s–%(end)s)") % {"start": f"{monday:%d/%m}", "end": f"{sunday:%d/%m}"},
            bars=[Bar(label=str(u), value=week.get(u.pk, 0)) for u in units],
            empty_text=_("No unit takes appointments."),
        ),
        Chart(
            title=_("Places booked this week"),
            bars=utilisation,
            empty_text=_("No unit takes appointments."),
        ),
    ]


FILINGS_ESTIMATED = _(
    "“About”: more than %(count)s filings, the database's estimate (a state with fewer is counted exactly)."
)


def _filings_by_state(*, user) -> Chart | None:
    """Every procedure's filings by where they stand (the officer's units). Each state is counted exactly up to
    COUNT_EXACT_UP_TO filings (one query for all states, on the state's index) and estimated by PostgreSQL above
    that: grouping a million filings by state read the whole table on every visit to the dashboard."""
    if not user.has_perm("filings.view_filing"):
        return None
    from apps.filings.models import Filing, FilingState

    # A ward's officer: counted by the filing's own copy of its appointment's unit (`Filing.unit`, kept with the
    # appointment), from the (unit, state) index alone; through the appointment, each state merged the unit's
    # 52,500 appointments with the state's filings (9 states: 450,000 index entries, 430 ms median at 1M rows).
    filings = queryset_scope_to_user(Filing.objects.all(), user=user, unit_field="unit")
    counts = paging.counts_capped([filings.filter(state=value) for value in FilingState.values])
    bars = [
        Bar(label=str(label), value=count, approximate=not exact)
        for (value, label), (count, exact) in zip(FilingState.choices, counts, strict=True)
    ]
    return Chart(
        title=_("Filings by state"),
        bars=bars,
        empty_text=_("No filings yet."),
        note=FILINGS_ESTIMATED % {"count": number_format(paging.COUNT_EXACT_UP_TO, force_grouping=True)}
        if any(b.approximate for b in bars)
        else "",
    )


def _reports_waiting(*, user) -> Chart | None:
    """Citizens' reports still open, per unit, with how many are past their target time."""
    from django.apps import apps

    if not apps.is_installed("apps.reports") or not user.has_perm("reports.view_report"):
        return None
    from apps.reports.models import Report

    now = timezone.now()
    rows = (
        queryset_scope_to_user(Report.objects.confirmed().open(), user=user, unit_field="unit")
        .values("unit__name")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
        .order_by("-n", "unit__name")
    )
    return Chart(
        title=_("Reports waiting for an answer"),
        bars=[
            Bar(
                label=r["unit__name"],
                value=r["n"],
                note=str(_("%(count)s overdue") % {"count": r["late"]}) if r["late"] else "",
            )
            for r in rows
        ],
        empty_text=_("No report is waiting."),
    )


def _state_changes_today(*, user, today: date) -> Chart:
    """Filings moved today, by the state they went to (the timeline's events, a filing's creation excluded)."""
    from apps.filings.models import FilingEvent, FilingState

    start, end = local_day_range(today)
    rows = (
        queryset_scope_to_user(FilingEvent.objects.all(), user=user, unit_field="filing__appointment__unit")
        .filter(at__gte=start, at__lt=end)
        .exclude(source="")
        .values("state")
        .annotate(n=Count("id"))
        .order_by("-n", "state")
    )
    labels = dict(FilingState.choices)
    return Chart(
        title=_("State changes today"),
        bars=[Bar(label=str(labels.get(r["state"], r["state"])), value=r["n"]) for r in rows],
        empty_text=_("No state changes yet today."),
    )


def state_label(*, content_type, value: str) -> str:
    """The readable name of a stored state ("needs_correction" -> "Cần bổ sung, sửa đổi") of a record of this
    kind: from the choices of its fields; the value itself when none lists it."""
    model = content_type.model_class() if content_type is not None else None
    if model is not None:
        for model_field in model._meta.concrete_fields:
            labels = dict(model_field.flatchoices) if model_field.choices else {}
            if value in labels:
                return str(labels[value])
    return value


# --- The counter -------------------------------------------------------------------------------------------
SCAN_EMPTY = _("Scan the QR code or type the code.")
SCAN_UNREADABLE = _("This is not a code from this portal. Scan the QR code again or type the code printed under it.")
SCAN_FORGED = _("This QR code has been altered or was not made by this portal.")
SCAN_NOT_FOUND = _("No booking has the code %(code)s.")
SEARCH_NOTHING = _(
    "Neither a code from this portal nor the name or phone of a booking at this counter. Check the spelling, or "
    "type the code printed under the QR code."
)

# Roster order of statuses that matter at the counter; held and expired times are not bookings.
ROSTER_STATUSES = ("booked", "checked_in", "no_show", "cancelled")


def _signed_code(token: str) -> str:
    """The code inside a QR (or done-page) token of a filing; ValidationError when forged."""
    from django.core import signing

    from apps.filings import tokens

    for unsign in (tokens.qr_token_code, tokens.receipt_token_code):
        try:
            return unsign(token)
        except signing.BadSignature:
            continue
    raise ValidationError(SCAN_FORGED, code="forged")


def scan_code_parse(*, text: str) -> str:
    """What a USB scanner typed or a camera opened, as a filing code.

    Accepts the QR token (`CODE.signature`), an address containing it (`...?t=TOKEN` or as the last path
    segment), or the code typed by hand (spaces, dashes and case do not matter).
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(SCAN_EMPTY, code="empty")
    if "://" in raw or raw.startswith("/"):
        parts = urlsplit(raw)
        query = parse_qs(parts.query)
        key = next((k for k in ("t", "token", "code", "q") if query.get(k)), None)
        if key:
            raw = query[key][0].strip()
        else:
            segments = [s for s in parts.path.split("/") if s]
            raw = unquote(segments[-1]) if segments else ""
    # A signed token is "CODE.signature"; a code itself has no dot (code_normalize drops any typed by hand).
    if "." in raw and len(raw.rsplit(".", 1)[1]) > 6:
        raw = _signed_code(raw)
    code = code_normalize(raw)
    if not code_is_valid(code):
        raise ValidationError(SCAN_UNREADABLE, code="unreadable")
    return code


def appointment_find_for_code(*, code: str):
    """The booking a filing code stands for: the live one (booked, arrived, missed) nearest to today, else the
    latest cancelled one; None when no booking has this code."""
    from apps.appointments.models import Appointment, AppointmentStatus

    candidates = list(
        Appointment.objects.filter(reference=code)
        .exclude(status__in=(AppointmentStatus.HELD, AppointmentStatus.EXPIRED))
        .select_related("slot", "unit", "procedure")
    )
    if not candidates:
        return None
    now = timezone.now()
    live = [a for a in candidates if a.status != AppointmentStatus.CANCELLED]
    if live:
        return min(live, key=lambda a: abs((a.slot.starts_at - now).total_seconds()))
    return max(candidates, key=lambda a: a.cancelled_at or a.created_at)


def roster_units(*, user):
    """The units whose counter this officer may run, for the roster's unit picker."""
    from apps.units.models import PoliceUnit

    return queryset_scope_to_user(PoliceUnit.objects.filter(is_active=True), user=user, unit_field="pk")


def roster_list(*, unit, day: date):
    """The day's bookings of a unit, by time, with what the counter shows (one query, whatever the number)."""
    from apps.appointments.models import Appointment

    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return (
        Appointment.objects.filter(
            unit=unit,
            # The same unit again on the slot (an appointment's unit is its slot's): the day's slots of this unit
            # only, instead of every unit's slots and their appointments filtered afterwards (46 ms -> 8 ms for a
            # day of 2,500 bookings among 50,000).
            slot__unit=unit,
            status__in=ROSTER_STATUSES,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + timedelta(days=1),
        )
        .select_related("slot", "procedure", "arrival", "arrival__officer")
        .order_by("slot__starts_at", "holder_name", "id")
    )


# Rows per page of the roster: the counter works from the next people, and 2,500 rows of buttons took seconds to
# render. The printable page and the CSV/Excel files keep the whole day.
ROSTER_PAGE_SIZE = 50


@dataclass(frozen=True)
class RosterPart:
    """One page of a day's roster: its number (from 1), the offset of its first row, its rows' first and last
    times."""

    number: int
    offset: int
    rows: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class RosterOutline:
    """A unit's day in pages, read in one query of the day's times and statuses (no model instances)."""

    counts: dict[str, int]
    parts: list[RosterPart]
    # The page of the next people: on the current day the first whose slot has not ended yet, else the first.
    current: int

    def part(self, number: int | None) -> RosterPart | None:
        if not self.parts:
            return None
        wanted = number if number is not None else self.current
        return self.parts[min(max(wanted, 1), len(self.parts)) - 1]


def roster_outline(*, unit, day: date, now: datetime | None = None, size: int | None = None) -> RosterOutline:
    now = now or timezone.now()
    size = size or ROSTER_PAGE_SIZE
    rows = list(roster_list(unit=unit, day=day).values_list("slot__starts_at", "slot__ends_at", "status"))
    counts = dict.fromkeys(ROSTER_STATUSES, 0)
    for _starts, _ends, status in rows:
        counts[status] = counts.get(status, 0) + 1
    parts = [
        RosterPart(
            number=n + 1,
            offset=offset,
            rows=len(rows[offset : offset + size]),
            first_at=rows[offset][0],
            last_at=rows[min(offset + size, len(rows)) - 1][0],
        )
        for n, offset in enumerate(range(0, len(rows), size))
    ]
    current = 1
    if rows and timezone.localdate(now) == day:
        upcoming = next((i for i, (_starts, ends, _status) in enumerate(rows) if ends > now), len(rows) - 1)
        current = upcoming // size + 1
    return RosterOutline(counts=counts, parts=parts, current=current)


def roster_counts(*, appointments) -> dict[str, int]:
    counts = dict.fromkeys(ROSTER_STATUSES, 0)
    for appointment in appointments:
        counts[appointment.status] = counts.get(appointment.status, 0) + 1
    return counts


# --- Search ------------------------------------------------------------------------------------------------
def filing_search_q(*, term: str) -> Q:
    """What an officer typed, as a filter on filings (the one search of `search.py`): the code in any form
    or a part of it, the card number, the phone in any form, any part of the name without accents."""
    from .search import SearchFields, search_q

    return search_q(
        term=term,
        fields=SearchFields(code=("code",), phone=("phone",), id_number=("id_number",), name_key=("name_key",)),
    )


def roster_request_labels(*, appointments) -> dict[int, str]:
    """What each booking is for: the procedure, and for an identity-card filing its kind of request
    ("Cấp CCCD · New card (first time)"). One query for the whole day."""
    from apps.filings.models import Filing

    labels = {a.pk: a.procedure.display_name for a in appointments}
    if labels:
        request_labels = _identity_card_request_labels()
        for appointment_id, answers in Filing.objects.filter(appointment__in=list(labels)).values_list(
            "appointment_id", "answers"
        ):
            request = request_labels.get((answers or {}).get("request_type"))
            if request:
                labels[appointment_id] = f"{labels.get(appointment_id, '')} · {request}"
    return labels


def _identity_card_request_labels() -> dict:
    from django.apps import apps

    if not apps.is_installed("apps.declarations"):
        return {}
    from apps.declarations.reference import REQUEST_CHOICES

    return dict(REQUEST_CHOICES)


# --- Officers ----------------------------------------------------------------------------------------------
def officer_list_with_permission(*, permission: str, unit_ids=None):
    """Active officers who hold `permission` ("app_label.codename") through a role or on their own account (or
    are superusers), optionally only those of `unit_ids`; in Vietnamese name order. Pickers of officers (report
    handlers, …) list only these."""
    from django.contrib.auth import get_user_model

    app_label, codename = permission.split(".", 1)
    holds = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    holds |= Q(is_superuser=True)
    queryset = get_user_model().objects.filter(holds, is_active=True, is_staff=True)
    if unit_ids is not None:
        queryset = queryset.filter(units__in=unit_ids)
    # A subquery keeps one row per officer whatever the joins.
    return get_user_model().objects.filter(pk__in=queryset.values("pk")).order_by("last_name", "first_name", "username")


COUNTER_SEARCH_DAYS_BEFORE = 7
COUNTER_SEARCH_DAYS_AFTER = 60
COUNTER_SEARCH_LIMIT = 20


def counter_search(*, unit, term: str, today: date | None = None) -> list:
    """The counter's search by name or phone (or a part of the code): bookings of `unit` from a week ago to two
    months ahead that a citizen could be checked in for, nearest to today first."""
    from apps.appointments.models import Appointment

    from .search import SearchFields, search_q

    today = today or timezone.localdate()
    start = _local_midnight(today - timedelta(days=COUNTER_SEARCH_DAYS_BEFORE))
    end = _local_midnight(today + timedelta(days=COUNTER_SEARCH_DAYS_AFTER + 1))
    fields = SearchFields(code=("reference",), phone=("phone",), id_number=("id_number",), name_key=("name_key",))
    found = list(
        Appointment.objects.filter(
            search_q(term=term, fields=fields),
            unit=unit,
            status__in=("booked", "checked_in", "no_show"),
            slot__starts_at__gte=start,
            slot__starts_at__lt=end,
        )
        .select_related("slot", "procedure", "unit")
        .order_by("slot__starts_at")[: COUNTER_SEARCH_LIMIT * 2]
    )
    found.sort(key=lambda a: (abs((timezone.localdate(a.slot.starts_at) - today).days), a.slot.starts_at))
    return found[:COUNTER_SEARCH_LIMIT]


# --- Closed days ----------------------------------------------------------------------------------------------
def closure_day_bookings(*, unit, day: date, now=None):
    """The bookings of `unit` on `day` that closing its counter would take away (not yet begun), by time."""
    from apps.appointments.models import Appointment, AppointmentStatus

    start = _local_midnight(day)
    return (
        Appointment.objects.filter(
            unit=unit,
            status=AppointmentStatus.BOOKED,
            slot__starts_at__gte=max(start, now or timezone.now()),
            slot__starts_at__lt=start + timedelta(days=1),
        )
        .select_related("slot", "procedure", "unit")
        .order_by("slot__starts_at", "id")
    )


def closure_for_day(*, unit, day: date):
    """The closure of `unit` that covers part of `day`, if any (the roster says the counter is closed)."""
    from apps.appointments.models import Closure

    start = _local_midnight(day)
    return (
        Closure.objects.filter(unit=unit, starts_at__lt=start + timedelta(days=1), ends_at__gt=start)
        .order_by("starts_at")
        .first()
    )


@dataclass
class ClosureBookingRow:
    booking: object  # ClosureBooking
    message: object | None  # the latest message about it since the closure (a resend replaces the first)


def closure_booking_rows(*, closure) -> list[ClosureBookingRow]:
    """The citizens a closure took away, each with the newest message sent about their booking or filing since the
    closure (its delivery status is what officers check): three queries, whatever the number."""
    from django.contrib.contenttypes.models import ContentType

    from apps.appointments.models import Appointment
    from apps.filings.models import Filing
    from apps.notifications.models import Notification

    bookings = list(closure.bookings.select_related("appointment", "appointment__slot", "appointment__procedure"))
    appointment_ids = [b.appointment_id for b in bookings]
    filings = dict(Filing.objects.filter(appointment_id__in=appointment_ids).values_list("pk", "appointment_id"))
    appointment_type = ContentType.objects.get_for_model(Appointment)
    filing_type = ContentType.objects.get_for_model(Filing)
    messages = Notification.objects.filter(
        Q(subject_type=appointment_type, subject_id__in=[str(pk) for pk in appointment_ids])
        | Q(subject_type=filing_type, subject_id__in=[str(pk) for pk in filings]),
        created_at__gte=closure.created_at,
    ).order_by("created_at", "id")
    newest: dict[int, object] = {}
    for message in messages:
        pk = int(message.subject_id)
        newest[filings[pk] if message.subject_type_id == filing_type.pk else pk] = message
    return [ClosureBookingRow(booking=b, message=newest.get(b.appointment_id)) for b in bookings]
