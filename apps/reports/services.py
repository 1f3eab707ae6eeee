"""Writes for citizens' reports: filing (web form and Zalo chat) and the officers' workflow.

The workflow is a state machine: TRANSITIONS lists every allowed move, `_transition` is the only place that
changes `status`, and each move is recorded as a ReportEvent with who, when and why.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.backoffice.models import AuditAction
from apps.backoffice.services import audit_record
from apps.core.codes import code_format, code_generate, code_normalize
from apps.core.ratelimit import lockout_fail, lockout_is_locked
from apps.news.images import image_reencode
from apps.notifications.services import notification_send
from apps.units.finder import ward_station_find
from apps.units.models import PoliceUnit
from apps.units.selectors import unit_get_home_unit

from .models import Report, ReportCategory, ReportEvent, ReportPhoto, ReportSource, ReportStatus
from .selectors import LookupResult, report_lookup, report_user_can_assign, report_user_can_see

logger = logging.getLogger(__name__)
S = ReportStatus

TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.ASSIGNED, S.FORWARDED, S.CLOSED},
    S.ASSIGNED: {S.ASSIGNED, S.IN_PROGRESS, S.FORWARDED, S.CLOSED},
    S.IN_PROGRESS: {S.ASSIGNED, S.ANSWERED, S.FORWARDED, S.CLOSED},
    S.FORWARDED: {S.ASSIGNED, S.FORWARDED, S.CLOSED},
    S.ANSWERED: {S.CLOSED},
    S.CLOSED: set(),
}

INVALID_TRANSITION = _("A report that is “%(current)s” cannot become “%(target)s”.")
NOT_ALLOWED = _("You cannot handle reports of this unit.")
NOT_SUPERVISOR = _("Only a supervisor can assign reports to other officers or forward them.")
NOT_HANDLER = _("Only the assigned officer or a supervisor can do this.")
HANDLER_NOT_IN_UNIT = _("This officer does not work for the unit that handles the report.")
SAME_UNIT = _("The report is already with this unit.")
ANSWER_REQUIRED = _("Write the answer to the reporter.")
NO_DISTRICT_UNIT = _("No district unit is set up to receive reports.")


def report_target_hours(*, category: str) -> int:
    return settings.REPORTS_TARGET_HOURS.get(category, settings.REPORTS_TARGET_HOURS[ReportCategory.OTHER])


def _new_code() -> str:
    for _attempt in range(10):
        code = code_generate(length=8)
        if not Report.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find an unused report code")  # 10 collisions in 40 bits: never in practice


def _district_unit() -> PoliceUnit:
    unit = unit_get_home_unit()  # the portal's own unit (PORTAL_HOME_UNIT), not necessarily a district
    if unit is None:
        raise ValidationError(NO_DISTRICT_UNIT, code="no_district")
    return unit


def _unit_for(*, unit: PoliceUnit | None, address: str) -> PoliceUnit:
    """The chosen unit; otherwise the one ward station the address points to; otherwise the district."""
    if unit is not None:
        return unit
    if address:
        found = ward_station_find(address=address)
        if len(found.unit_ids) == 1:
            station = PoliceUnit.objects.filter(pk=found.unit_ids[0], is_active=True).first()
            if station is not None:
                return station
    return _district_unit()


def _record(report: Report, *, from_status: str, actor=None, note: str = "", to_unit=None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        from_status=from_status,
        to_status=report.status,
        actor=actor,
        handler=report.handler,
        to_unit=to_unit,
        note=note,
    )


@transaction.atomic
def report_submit(
    *,
    category: str,
    description: str,
    unit: PoliceUnit | None,
    address: str = "",
    occurred_at: datetime | None = None,
    is_anonymous: bool,
    contact_name: str = "",
    contact_phone: str = "",
    photos: list | None = None,
    language: str = "vi",
    confirmed: bool = True,
    notice_version: int | None = None,
) -> Report:
    """File a report from the web form. Photos must be validated already (images.image_validate).

    An anonymous report drops every contact detail before anything is written.
    """
    now = timezone.now()
    if is_anonymous:
        contact_name, contact_phone = "", ""
    report = Report(
        code=_new_code(),
        category=category,
        description=description.strip(),
        unit=_unit_for(unit=unit, address=address.strip()),
        address=address.strip(),
        occurred_at=occurred_at,
        is_anonymous=is_anonymous,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone or "",
        notice_version=None if is_anonymous else notice_version,
        language=language,
        source=ReportSource.WEB,
        created_at=now,
        confirmed_at=now if confirmed else None,
        due_at=now + timedelta(hours=report_target_hours(category=category)),
    )
    report.full_clean()
    report.save()
    for upload in photos or []:
        name = f"{uuid.uuid4().hex}.jpg"  # random: the file's address reveals nothing and cannot be guessed
        clean = image_reencode(upload=upload, max_width=settings.REPORTS_PHOTO_MAX_WIDTH, name=name)
        ReportPhoto.objects.create(report=report, image=clean.content, width=clean.width, height=clean.height)
    _record(report, from_status="")
    if report.confirmed_at and report.contact_phone:
        _notify(report, kind="report_received")
    return report


@transaction.atomic
def report_confirm(*, report: Report) -> Report:
    """The reporter proved the phone number: the report enters the unit's queue."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.confirmed_at is None:
        report.confirmed_at = timezone.now()
        report.due_at = report.confirmed_at + timedelta(hours=report_target_hours(category=report.category))
        report.save(update_fields=["confirmed_at", "due_at", "updated_at"])
        if report.contact_phone:
            _notify(report, kind="report_received")
    return report


# --- Workflow ---------------------------------------------------------------------------------------------
def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _check_transition(report: Report, target: str) -> None:
    if target not in TRANSITIONS[report.status]:
        raise ValidationError(
            INVALID_TRANSITION,
            code="invalid_transition",
            params={"current": ReportStatus(report.status).label, "target": ReportStatus(target).label},
        )


def _check_access(report: Report, actor) -> None:
    if not report_user_can_see(user=actor, report=report):
        raise ValidationError(NOT_ALLOWED, code="not_allowed")


def _check_handler_or_supervisor(report: Report, actor) -> None:
    _check_access(report, actor)
    if report.handler_id != actor.pk and not report_user_can_assign(user=actor):
        raise ValidationError(NOT_HANDLER, code="not_handler")


def _transition(report: Report, target: str, *, actor, note: str = "", to_unit=None) -> Report:
    _check_transition(report, target)
    previous = report.status
    report.status = target
    report.save()
    _record(report, from_status=previous, actor=actor, note=note, to_unit=to_unit)
    # Each move is in the back office's audit log too, with the officer who made it.
    audit_record(user=actor, action=AuditAction.TRANSITION, obj=report, detail=f"{previous} → {target}")
    return report


@transaction.atomic
def report_assign(*, report: Report, handler, actor, note: str = "") -> Report:
    """A supervisor gives the report to an officer of the unit that handles it."""
    report = _locked(report)
    _check_access(report, actor)
    if handler.pk != actor.pk and not report_user_can_assign(user=actor):
        raise ValidationError(NOT_SUPERVISOR, code="not_supervisor")
    if not handler.is_active or not handler.is_staff or not report_user_can_see(user=handler, report=report):
        raise ValidationError({"handler": HANDLER_NOT_IN_UNIT}, code="handler_not_in_unit")
    _check_transition(report, S.ASSIGNED)
    report.handler = handler
    return _transition(report, S.ASSIGNED, actor=actor, note=note)


def report_take(*, report: Report, actor, note: str = "") -> Report:
    """ "Take it": an officer of the unit assigns the report to themself."""
    return report_assign(report=report, handler=actor, actor=actor, note=note)


@transaction.atomic
def report_start(*, report: Report, actor, note: str = "") -> Report:
    report = _locked(report)
    _check_handler_or_supervisor(report, actor)
    return _transition(report, S.IN_PROGRESS, actor=actor, note=note)


@transaction.atomic
def report_answer(*, report: Report, actor, answer: str, note: str = "") -> Report:
    """Record the answer and, when the reporter left a phone number, send it through the notifications."""
    report = _locked(report)
    _check_handler_or_supervisor(report, actor)
    if not answer.strip():
        raise ValidationError({"answer": ANSWER_REQUIRED}, code="answer_required")
    _check_transition(report, S.ANSWERED)
    report.answer = answer.strip()
    report = _transition(report, S.ANSWERED, actor=actor, note=note)
    if report.contact_phone and not report.is_anonymous:
        _notify(report, kind="report_answered")
    return report


@transaction.atomic
def report_close(*, report: Report, actor, note: str = "") -> Report:
    report = _locked(report)
    _check_handler_or_supervisor(report, actor)
    return _transition(report, S.CLOSED, actor=actor, note=note)


@transaction.atomic
def report_forward(*, report: Report, to_unit: PoliceUnit, actor, note: str = "") -> Report:
    """Send the report to another unit's queue; it waits there for a handler."""
    report = _locked(report)
    _check_handler_or_supervisor(report, actor)
    if to_unit.pk == report.unit_id:
        raise ValidationError({"to_unit": SAME_UNIT}, code="same_unit")
    _check_transition(report, S.FORWARDED)
    report.unit = to_unit
    report.handler = None
    return _transition(report, S.FORWARDED, actor=actor, note=note, to_unit=to_unit)


# --- Several moves at once (one screen, one save) --------------------------------------------------------------
# The usual road of a report: taken by an officer, handled, answered, closed. A button on the report's page goes
# as far along it as the officer asks, each move through its own service (checked, recorded, audited).
ROAD = (S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED)
STEPS = {
    "take": S.ASSIGNED,
    "start": S.IN_PROGRESS,
    "answer": S.ANSWERED,
    "answer_close": S.CLOSED,
    "close": S.CLOSED,
}
STEP_NOT_POSSIBLE = _("This step is not possible for a report that is “%(current)s”.")


def report_step_plan(*, report: Report, step: str) -> list[str]:
    """The states a report passes through for `step` (see STEPS), from where it is now. "close" closes at once;
    "answer_close" answers first. Empty when the step leads nowhere from here."""
    if step == "close":
        return [S.CLOSED] if S.CLOSED in TRANSITIONS[report.status] else []
    target = STEPS.get(step)
    if target is None:
        return []
    if report.status in (S.RECEIVED, S.FORWARDED):
        start = 0
    elif report.status in ROAD:
        start = ROAD.index(report.status) + 1
    else:
        return []
    plan = list(ROAD[start : ROAD.index(target) + 1])
    if step == "take" and report.status == S.ASSIGNED:
        plan = [S.ASSIGNED]  # taking over a report assigned to someone else
    if step == "answer_close" and S.ANSWERED not in plan:
        return []  # an answered report is closed with "close"
    return plan


@transaction.atomic
def report_advance(*, report: Report, actor, step: str, answer: str = "", note: str = "") -> Report:
    """Move a report along its usual road in one go (e.g. take and start; answer and close). All moves or none:
    one refused move leaves the report as it was. The note goes with the last move."""
    report = _locked(report)
    plan = report_step_plan(report=report, step=step)
    if not plan:
        raise ValidationError(
            STEP_NOT_POSSIBLE, code="step_not_possible", params={"current": ReportStatus(report.status).label}
        )
    for i, target in enumerate(plan):
        last_note = note if i == len(plan) - 1 else ""
        if target == S.ASSIGNED:
            report = report_take(report=report, actor=actor, note=last_note)
        elif target == S.IN_PROGRESS:
            report = report_start(report=report, actor=actor, note=last_note)
        elif target == S.ANSWERED:
            report = report_answer(report=report, actor=actor, answer=answer, note=last_note)
        else:
            report = report_close(report=report, actor=actor, note=last_note)
    return report


# --- The reporter's lookup --------------------------------------------------------------------------------------
MSG_LOOKUP_LOCKED = _(
    "This code was entered with a wrong phone number too many times. For your safety, looking it up is locked "
    "for %(minutes)s minutes. In an emergency, call 113."
)


def report_status_lookup(*, code: str, phone) -> LookupResult:
    """The reporter's lookup (selectors.report_lookup), with the second factor counted per code whatever the
    address, as for filings: LOOKUP_CODE_MAX_FAILURES wrong answers lock the code's lookup for
    LOOKUP_CODE_LOCK_MINUTES, the right answer included. Raises ValidationError("locked")."""
    key = f"report-lookup-code:{code_normalize(code)}"
    minutes = settings.LOOKUP_CODE_LOCK_MINUTES
    if lockout_is_locked(key=key, limit=settings.LOOKUP_CODE_MAX_FAILURES):
        raise ValidationError(MSG_LOOKUP_LOCKED, code="locked", params={"minutes": minutes})
    try:
        return report_lookup(code=code, phone=phone)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "not_found":
            lockout_fail(key=key, window=minutes * 60)
        raise


# --- Messages to the reporter -----------------------------------------------------------------------------
def report_status_url(*, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("reports:status")


def _notify(report: Report, *, kind: str) -> None:
    """Queue a message through the notifications service (contract in docs/ARCHITECTURE.md). The message carries
    the tracking code and the status page's address, never the report's content or the answer itself."""
    notification_send(
        kind=kind,
        language=report.language,
        context={"reference": code_format(report.code), "url": report_status_url(language=report.language)},
        phone=str(report.contact_phone),
        subject=report,
    )
