from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from apps.core.codes import code_is_valid, code_normalize
from apps.units.models import PoliceUnit, UnitKind

from .models import Report

CODE_INVALID = _("This code is not valid. Please check it: it has 9 letters and digits.")
NOT_FOUND = _("No report matches this code and phone number.")


def _user_units(user) -> QuerySet[PoliceUnit]:
    return PoliceUnit.objects.filter(officers=user)


def report_list_for_user(*, user) -> QuerySet[Report]:
    """A unit's queue: reports of the officer's units; a district officer also sees its ward stations'
    reports, a superuser sees all. Reports waiting for the reporter's phone confirmation are not shown."""
    qs = Report.objects.confirmed()
    if user.is_superuser:
        return qs
    units = _user_units(user)
    return qs.filter(Q(unit__in=units) | Q(unit__parent__in=units.filter(kind=UnitKind.DISTRICT)))


def report_user_can_see(*, user, report: Report) -> bool:
    if user.is_superuser:
        return True
    units = _user_units(user)
    return units.filter(Q(pk=report.unit_id) | Q(pk=report.unit.parent_id, kind=UnitKind.DISTRICT)).exists()


def report_user_can_assign(*, user) -> bool:
    return user.is_superuser or user.has_perm("reports.assign_report")


def report_handler_choices(*, report: Report):
    """Officers who may handle this report: active staff of its unit or of the district above it."""
    from django.contrib.auth import get_user_model

    unit_ids = [report.unit_id] + ([report.unit.parent_id] if report.unit.parent_id else [])
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, units__in=unit_ids)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


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
