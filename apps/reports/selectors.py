from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from apps.backoffice.scoping import user_sees_all_units, user_unit_ids
from apps.core.codes import code_is_valid, code_normalize
from apps.units.models import PoliceUnit, UnitKind

from .models import Report

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
class LookupResult:
    report: Report
    show_content: bool


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
        return LookupResult(report=report, show_content=False)
    if not phone or not report.contact_phone or phone != report.contact_phone:
        raise ValidationError(NOT_FOUND, code="not_found")
    return LookupResult(report=report, show_content=True)
