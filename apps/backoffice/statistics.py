"""Statistics for a period, per unit, for the officer's units (reads only: selectors).

What each figure counts:

* Filings: filings submitted in the period (by `submitted_at`), whose appointment is at the unit, by procedure and
  state (their state now).
* Bookings: appointments whose slot is in the period, by status. *Booked places* are those that take a place
  (booked, checked in, did not come: `TAKING_PLACE`); *places offered* are the slots the unit's calendar offers in
  the period (opening hours less days off and closures) times its places per slot; *utilisation* is booked places
  over places offered. *No-shows* are the appointments marked "did not come"; their rate is over the appointments
  whose outcome is known (checked in or did not come).
* Reports: reports received in the period (confirmed, by `created_at`) in the unit's queue, and those of them
  that are overdue: still open past their answer time now, or answered or closed after it.

Every figure comes from a grouped query: the number of queries depends on neither the rows nor the units.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from .scoping import queryset_scope_to_user, user_sees_all_units, user_unit_ids

MAX_DAYS = 366


@dataclass
class UnitFigures:
    unit_id: int
    unit_name: str
    booked: int = 0  # taking a place: booked + checked in + did not come
    checked_in: int = 0
    no_show: int = 0
    cancelled: int = 0
    places: int = 0
    reports: int = 0
    reports_overdue: int = 0

    @property
    def utilisation(self) -> float | None:
        """Booked places over places offered, 0–1 (more than 1 when officers booked over capacity); None when the
        unit offered no place in the period."""
        return self.booked / self.places if self.places else None

    @property
    def no_show_rate(self) -> float | None:
        known = self.checked_in + self.no_show
        return self.no_show / known if known else None


@dataclass
class ProcedureRow:
    name: str
    counts: dict[str, int]  # state → filings
    cells: list[int] = field(default_factory=list)  # the counts in the order of Statistics.states

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Statistics:
    start: date
    end: date
    units: list[UnitFigures]
    states: list[tuple[str, str]]  # (value, label) of the filing states, in the workflow's order
    procedures: list[ProcedureRow]
    totals: UnitFigures = field(init=False)
    state_totals: dict[str, int] = field(init=False)

    def __post_init__(self):
        self.totals = UnitFigures(unit_id=0, unit_name="")
        for figures in self.units:
            for name in ("booked", "checked_in", "no_show", "cancelled", "places", "reports", "reports_overdue"):
                setattr(self.totals, name, getattr(self.totals, name) + getattr(figures, name))
        self.state_totals = {value: sum(p.counts.get(value, 0) for p in self.procedures) for value, _ in self.states}
        for procedure in self.procedures:
            procedure.cells = [procedure.counts.get(value, 0) for value, _label in self.states]

    @property
    def state_total_cells(self) -> list[int]:
        return [self.state_totals[value] for value, _label in self.states]

    @property
    def filings_total(self) -> int:
        return sum(self.state_totals.values())


def statistics_units(*, user):
    """The units whose statistics this officer may see (every active unit for a district administrator)."""
    from apps.units.models import PoliceUnit

    units = PoliceUnit.objects.filter(is_active=True)
    if not user_sees_all_units(user):
        units = units.filter(pk__in=user_unit_ids(user))
    return units.order_by("order", "name")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def statistics_for_period(*, user, start: date, end: date, units: list, now: datetime | None = None) -> Statistics:
    """The figures of `units` (already limited to what `user` may see: statistics_units) from `start` to `end`,
    both included. Sections the officer has no permission to view stay empty."""
    from apps.appointments.models import TAKING_PLACE, Appointment, AppointmentStatus, BookingSchedule
    from apps.appointments.selectors import UnitCalendar
    from apps.filings.models import Filing, FilingState

    now = now or timezone.now()
    since, until = _midnight(start), _midnight(end + timedelta(days=1))
    unit_ids = [u.pk for u in units]
    figures = {u.pk: UnitFigures(unit_id=u.pk, unit_name=str(u)) for u in units}

    if user.has_perm("appointments.view_appointment"):
        appointments = queryset_scope_to_user(
            Appointment.objects.filter(unit__in=unit_ids, slot__starts_at__gte=since, slot__starts_at__lt=until),
            user=user,
            unit_field="unit",
        )
        rows = appointments.values("unit", "status").annotate(n=Count("pk")).order_by()
        for row in rows:
            unit = figures[row["unit"]]
            if row["status"] in TAKING_PLACE:
                unit.booked += row["n"]
            if row["status"] == AppointmentStatus.CHECKED_IN:
                unit.checked_in += row["n"]
            elif row["status"] == AppointmentStatus.NO_SHOW:
                unit.no_show += row["n"]
            elif row["status"] == AppointmentStatus.CANCELLED:
                unit.cancelled += row["n"]
        schedules = list(BookingSchedule.objects.filter(unit__in=unit_ids).select_related("unit"))
        calendars = UnitCalendar.for_schedules(schedules=schedules, start=start, end=end)
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        for schedule in schedules:
            calendar = calendars[schedule.unit_id]
            slots = sum(len(calendar.slot_times(day)[0]) for day in days)
            figures[schedule.unit_id].places = slots * schedule.capacity

    procedures: dict[str, ProcedureRow] = {}
    if user.has_perm("filings.view_filing"):
        filings = queryset_scope_to_user(
            Filing.objects.filter(appointment__unit__in=unit_ids, submitted_at__gte=since, submitted_at__lt=until),
            user=user,
            unit_field="appointment__unit",
        )
        rows = filings.values("procedure__name", "state").annotate(n=Count("pk")).order_by("procedure__name")
        for row in rows:
            procedure = procedures.setdefault(row["procedure__name"], ProcedureRow(row["procedure__name"], {}))
            procedure.counts[row["state"]] = procedure.counts.get(row["state"], 0) + row["n"]

    if user.has_perm("reports.view_report"):
        from apps.reports.models import OPEN_STATUSES, ReportEvent, ReportStatus
        from apps.reports.selectors import report_list_for_user

        done = ReportEvent.objects.filter(
            report=OuterRef("pk"), to_status__in=(ReportStatus.ANSWERED, ReportStatus.CLOSED)
        ).order_by("created_at")
        reports = (
            report_list_for_user(user=user)
            .filter(unit__in=unit_ids, created_at__gte=since, created_at__lt=until)
            .annotate(done_at=Subquery(done.values("created_at")[:1]))
        )
        late = Q(status__in=OPEN_STATUSES, due_at__lt=now) | Q(done_at__gt=F("due_at"))
        rows = reports.values("unit").annotate(n=Count("pk"), late=Count("pk", filter=late)).order_by()
        for row in rows:
            figures[row["unit"]].reports = row["n"]
            figures[row["unit"]].reports_overdue = row["late"]

    return Statistics(
        start=start,
        end=end,
        units=[figures[pk] for pk in unit_ids],
        states=list(FilingState.choices),
        procedures=sorted(procedures.values(), key=lambda p: p.name),
    )
