from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from apps.backoffice.scoping import user_sees_all_units, user_unit_ids
from apps.core.codes import code_is_valid, code_normalize
from apps.units.models import PoliceUnit, UnitKind

from .models import Report, ReportStatus

CODE_INVALID = _("This code is not valid. Please check it: it has 9 letters and digits.")
NOT_FOUND = _("No report matches this code and phone number.")


def _district_ids(user) -> set[int]:
    return set(
        PoliceUnit.objects.filter(pk__in=user_unit_ids(user), kind=UnitKind.DISTRICT).values_list("pk", flat=True)
    )


def report_list_for_user(*, user) -> QuerySet[Report]:
    """A unit's queue: reports of the officer's units; an officer of the district police also sees its ward
    stations' reports; a district administrator (backoffice.access_all_units) or a superuser sees all.
    Reports waiting for the reporter's phone confirmation are in no queue."""
    qs = Report.objects.confirmed()
    if user_sees_all_units(user):
        return qs
    return qs.filter(Q(unit__in=user_unit_ids(user)) | Q(unit__parent__in=_district_ids(user)))


def report_user_can_see(*, user, report: Report) -> bool:
    if user_sees_all_units(user):
        return True
    if report.unit_id in user_unit_ids(user):
        return True
    return report.unit.parent_id is not None and report.unit.parent_id in _district_ids(user)


def report_user_can_assign(*, user) -> bool:
    """Supervisors: officers with reports.assign_report, district administrators and superusers."""
    return user_sees_all_units(user) or user.has_perm("reports.assign_report")


@dataclass(frozen=True)
class QueueSummary:
    open: int
    unassigned: int
    overdue: int


def report_queue_summary(*, user) -> QueueSummary:
    """Counts for a dashboard panel: open reports in the officer's queue, not yet assigned, and overdue."""
    now = timezone.now()
    counts = (
        report_list_for_user(user=user)
        .open()
        .aggregate(
            open=Count("pk"),
            unassigned=Count("pk", filter=Q(handler__isnull=True)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
    )
    return QueueSummary(**counts)


def report_handler_choices(*, report: Report):
    """Officers who may handle this report: active staff with the report handling permission (their role), of
    its unit or of the district above it."""
    from apps.backoffice.selectors import officer_list_with_permission

    unit_ids = [report.unit_id] + ([report.unit.parent_id] if report.unit.parent_id else [])
    return officer_list_with_permission(permission="reports.change_report", unit_ids=unit_ids)


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    status: str
    label: str


@dataclass(frozen=True)
class LookupResult:
    report: Report
    show_content: bool
    history: tuple[StatusChange, ...] = ()


def report_status_history(*, report: Report) -> tuple[StatusChange, ...]:
    """The status changes the reporter may see, oldest first: each state once in a row (a report handed from one
    officer to another stays "assigned"), without who did it or the officers' internal notes."""
    changes: list[StatusChange] = []
    for at, status in report.events.order_by("created_at", "id").values_list("created_at", "to_status"):
        if changes and changes[-1].status == status:
            continue
        changes.append(StatusChange(at=at, status=status, label=str(ReportStatus(status).label)))
    return tuple(changes)


def report_lookup(*, code: str, phone: PhoneNumber | None) -> LookupResult:
    """Find a report for its reporter. With the matching phone the reporter sees the content and answer;
    an anonymous report shows only its status with the code alone, never its content."""
    code = code_normalize(code)
    if not code_is_valid(code):
        raise ValidationError({"code": CODE_INVALID}, code="code_invalid")
    report = Report.objects.confirmed().select_related("unit").filter(code=code).first()
    if report is None:
        raise ValidationError(NOT_FOUND, code="not_found")
    if report.is_anonymous:
        return LookupResult(report=report, show_content=False, history=report_status_history(report=report))
    if not phone or not report.contact_phone or phone != report.contact_phone:
        raise ValidationError(NOT_FOUND, code="not_found")
    return LookupResult(report=report, show_content=True, history=report_status_history(report=report))


# --- Overdue reports ---------------------------------------------------------------------------------------------
def report_priority_levels() -> dict[str, int]:
    """Category → priority level (1 = most urgent): categories with a shorter answer target come first
    (settings.REPORTS_TARGET_HOURS: crime 24 h → 1; security and other 48 h → 2; feedback 120 h → 3)."""
    hours = settings.REPORTS_TARGET_HOURS
    ranks = {h: i for i, h in enumerate(sorted(set(hours.values())), start=1)}
    return {category: ranks[h] for category, h in hours.items()}


@dataclass(frozen=True)
class UnitOverdue:
    unit_id: int
    unit_name: str
    count: int


@dataclass(frozen=True)
class OverdueReports:
    reports: list[Report]
    per_unit: list[UnitOverdue]
    total: int


OVERDUE_PAGE_LIMIT = 500


def report_list_overdue(*, user, unit_id: int | None = None, now: datetime | None = None) -> OverdueReports:
    """Open reports past their answer time in the officer's queue (report_list_for_user), the most urgent
    priority first and, within one priority, the longest overdue first; with the count per unit. Two queries,
    whatever the number of reports."""
    now = now or timezone.now()
    levels = report_priority_levels()
    overdue = report_list_for_user(user=user).overdue(now=now)
    per_unit = [
        UnitOverdue(unit_id=row["unit"], unit_name=row["unit__name"], count=row["count"])
        for row in overdue.values("unit", "unit__name").annotate(count=Count("pk")).order_by("-count", "unit__name")
    ]
    if unit_id is not None:
        overdue = overdue.filter(unit_id=unit_id)
    priority = Case(
        *[When(category=category, then=Value(level)) for category, level in levels.items()],
        default=Value(max(levels.values(), default=1)),
        output_field=IntegerField(),
    )
    reports = list(
        overdue.annotate(priority=priority)
        .select_related("unit", "handler")
        .order_by("priority", "due_at", "pk")[:OVERDUE_PAGE_LIMIT]
    )
    total = sum(u.count for u in per_unit if unit_id is None or u.unit_id == unit_id)
    return OverdueReports(reports=reports, per_unit=per_unit, total=total)
