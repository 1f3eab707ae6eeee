"""Writes of the back office: audit records, roles, the counter (a filing's review moves are
apps.filings.services.filing_transition's)."""

from datetime import datetime, time, timedelta
from fnmatch import fnmatchcase
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import Arrival, AuditAction, AuditLogEntry, ClosureBooking, ClosureOutcome
from .roles import ROLES
from .scoping import object_unit_id, user_can_access_object

NOT_ALLOWED = _("You may not make this change.")
RECORD_OF_OTHER_UNIT = _("This record belongs to another unit.")


def _unit_field_of(obj: models.Model) -> str | None:
    """The path to the unit for the models the back office knows; None when the record has no unit."""
    from apps.units.models import PoliceUnit

    if isinstance(obj, PoliceUnit):
        return "pk"
    for name in ("unit", "appointment__unit"):
        try:
            head = name.split("__")[0]
            obj._meta.get_field(head)
        except Exception:  # noqa: S112 - FieldDoesNotExist: try the next path
            continue
        return name
    return None


def audit_record(
    *,
    user,
    action: str,
    obj: models.Model | None = None,
    detail: str = "",
    model: type[models.Model] | None = None,
    unit_id: int | None = None,
) -> AuditLogEntry:
    """Record that `user` did `action` (an AuditAction) on `obj` (or on a kind of record, `model`, for exports)."""
    content_type = None
    object_id = object_repr = ""
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
        if unit_id is None:
            unit_field = _unit_field_of(obj)
            unit_id = object_unit_id(obj, unit_field=unit_field) if unit_field else None
    elif model is not None:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    authenticated = user is not None and user.is_authenticated
    entry = AuditLogEntry(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=AuditAction(action),
        content_type=content_type,
        object_id=object_id,
        object_repr=object_repr,
        unit_id=unit_id,
        detail=detail,
    )
    entry.full_clean()
    entry.save()
    return entry


def _permissions_matching(patterns: list[str]) -> list[Permission]:
    by_app: dict[str, list[str]] = {}
    for pattern in patterns:
        app_label, _dot, codename = pattern.partition(".")
        by_app.setdefault(app_label, []).append(codename)
    found = []
    for perm in Permission.objects.filter(content_type__app_label__in=by_app).select_related("content_type"):
        if any(fnmatchcase(perm.codename, c) for c in by_app[perm.content_type.app_label]):
            found.append(perm)
    return found


def roles_setup() -> dict[str, int]:
    """Create or update the officers' groups with exactly the permissions `roles.ROLES` gives them.

    Idempotent. Returns the number of permissions of each group.
    """
    result = {}
    with transaction.atomic():
        for name, role in ROLES.items():
            group, _created = Group.objects.get_or_create(name=name)
            permissions = _permissions_matching(role["permissions"])
            group.permissions.set(permissions)
            result[name] = len(permissions)
    return result


# --- The counter: check-in, no-show, moving bookings -------------------------------------------------------
CHECKIN_OTHER_UNIT = _("This booking is for %(unit)s, not for this counter.")
CHECKIN_OTHER_DAY = _("This booking is for %(date)s, not today.")
CHECKIN_CANCELLED = _("This booking was cancelled: the citizen needs a new one.")
CHECKIN_NOT_BOOKED = _("This time was only held and never booked.")
CHECKIN_DUPLICATE = _("Already checked in at %(time)s by %(officer)s.")
NO_SHOW_NOT_BOOKED = _("Only a booked appointment that nobody came to can be marked as missed.")
NO_SHOW_TOO_EARLY = _("The appointment has not started yet: it cannot be marked as missed.")
MOVE_OTHER_UNIT = _("You may move bookings only to your own units.")
NO_FREE_SLOT = _("No free time left at this unit: call the citizen.")


def officer_display_name(user) -> str:
    """Vietnamese order: family and middle names first ("Nguyễn Văn An"), else the user name."""
    return " ".join(f"{user.last_name} {user.first_name}".split()) or user.get_username()


def appointment_check_in(*, appointment, user, unit, other_day_ok: bool = False, now=None) -> Arrival:
    """Mark the citizen of `appointment` as arrived at the counter of `unit`.

    Refused, with a ValidationError whose code says why: `other_unit`, `cancelled`, `not_booked`,
    `duplicate`, and `other_day` unless the officer confirmed (`other_day_ok`). A citizen marked as missed who
    turns up late is checked in.
    """
    from apps.appointments.models import Appointment, AppointmentStatus

    now = now or timezone.now()
    if appointment.unit_id != unit.pk or not user_can_access_object(user, appointment, unit_field="unit"):
        raise ValidationError(CHECKIN_OTHER_UNIT, code="other_unit", params={"unit": appointment.unit})
    with transaction.atomic():
        current = (
            Appointment.objects.select_for_update(of=("self",)).select_related("slot", "unit").get(pk=appointment.pk)
        )
        if current.status == AppointmentStatus.CHECKED_IN:
            arrival = Arrival.objects.filter(appointment=current).select_related("officer").first()
            officer = arrival.officer if arrival else None
            raise ValidationError(
                CHECKIN_DUPLICATE,
                code="duplicate",
                params={
                    "time": f"{timezone.localtime(arrival.at):%H:%M %d/%m/%Y}" if arrival else "?",
                    "officer": officer_display_name(officer) if officer else "?",
                },
            )
        if current.status == AppointmentStatus.CANCELLED:
            raise ValidationError(CHECKIN_CANCELLED, code="cancelled")
        if current.status not in (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW):
            raise ValidationError(CHECKIN_NOT_BOOKED, code="not_booked")
        day = timezone.localdate(current.slot.starts_at)
        other_day = day != timezone.localdate(now)
        if other_day and not other_day_ok:
            raise ValidationError(CHECKIN_OTHER_DAY, code="other_day", params={"date": f"{day:%d/%m/%Y}"})
        previous = current.get_status_display()
        current.status = AppointmentStatus.CHECKED_IN
        current.save(update_fields=["status"])
        today = timezone.localdate(now)
        arrival = Arrival(
            appointment=current,
            unit=current.unit,
            at=now,
            officer=user,
            other_day=other_day,
            day=today,
            queue_number=_queue_number_next(unit=current.unit, day=today),
        )
        arrival.full_clean()
        arrival.save()
        audit_record(
            user=user,
            action=AuditAction.CHECK_IN,
            obj=current,
            detail=f"{previous} → {current.get_status_display()}" + (f" ({day:%d/%m/%Y})" if other_day else ""),
            unit_id=current.unit_id,
        )
        _filing_follow_counter(appointment=current, target="received", user=user)
    appointment.status = current.status
    return arrival


def _queue_number_next(*, unit, day) -> int:
    """The next number of `unit`'s queue on `day`. The unit's row is locked until the transaction ends, so two
    counters of one unit checking citizens in at the same moment never draw the same number (the unique
    constraint on unit, day and number backs it up)."""
    from apps.units.models import PoliceUnit

    PoliceUnit.objects.select_for_update().filter(pk=unit.pk).first()
    last = Arrival.objects.filter(unit=unit, day=day).aggregate(last=models.Max("queue_number"))["last"]
    return (last or 0) + 1


CHECKIN_UNDO_NOT_ARRIVED = _("This citizen is not checked in: there is no arrival to undo.")


def appointment_check_in_undo(*, appointment, user):
    """An arrival recorded by mistake (wrong row, wrong person): CHECKED_IN -> BOOKED, the arrival removed, the
    declaration's review back from "attended" to "checked"; all written to the audit log."""
    from apps.appointments.models import Appointment, AppointmentStatus

    if not user_can_access_object(user, appointment, unit_field="unit"):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != AppointmentStatus.CHECKED_IN:
            raise ValidationError(CHECKIN_UNDO_NOT_ARRIVED, code="not_checked_in")
        previous = current.get_status_display()
        Arrival.objects.filter(appointment=current).delete()
        current.status = AppointmentStatus.BOOKED
        current.save(update_fields=["status"])
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            obj=current,
            detail=f"{previous} → {current.get_status_display()}",
            unit_id=current.unit_id,
        )
        _filing_follow_counter(appointment=current, target="submitted", user=user, source="received")
    appointment.status = current.status
    return current


def appointment_mark_no_show(*, appointment, user, now=None):
    """The citizen did not come: BOOKED -> NO_SHOW, once the appointment's time has begun."""
    from apps.appointments.models import Appointment, AppointmentStatus

    now = now or timezone.now()
    if not user_can_access_object(user, appointment, unit_field="unit"):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
        if current.status != AppointmentStatus.BOOKED:
            raise ValidationError(NO_SHOW_NOT_BOOKED, code="not_booked")
        if current.slot.starts_at > now:
            raise ValidationError(NO_SHOW_TOO_EARLY, code="too_early")
        current.status = AppointmentStatus.NO_SHOW
        current.save(update_fields=["status"])
        audit_record(user=user, action=AuditAction.NO_SHOW, obj=current, unit_id=current.unit_id)
        _filing_follow_counter(appointment=current, target="no_show", user=user)
    appointment.status = current.status
    return current


def appointment_move(*, appointment, user, starts_at, unit=None, now=None, reason: str = ""):
    """An officer moves a booking to another time (and unit, among theirs); the citizen is told (with `reason`,
    when the officer gives one)."""
    from apps.appointments.services import appointment_reschedule
    from apps.notifications.services import notification_send_appointment_change

    unit = unit or appointment.unit
    if not user_can_access_object(user, appointment, unit_field="unit"):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    if not user_can_access_object(user, unit, unit_field="pk"):
        raise ValidationError(MOVE_OTHER_UNIT, code="other_unit")
    previous = timezone.localtime(appointment.slot.starts_at)
    moved = appointment_reschedule(
        appointment=appointment,
        starts_at=starts_at,
        unit=unit,
        by_officer=True,
        notify=partial(notification_send_appointment_change, reason=reason),
        **({"now": now} if now else {}),
    )
    audit_record(
        user=user,
        action=AuditAction.RESCHEDULE,
        obj=moved,
        detail=f"{previous:%d/%m/%Y %H:%M} → {timezone.localtime(moved.slot.starts_at):%d/%m/%Y %H:%M}"
        + (f": {reason}" if reason else ""),
        unit_id=moved.unit_id,
    )
    return moved


def appointment_move_affected(*, unit, user, now=None) -> tuple[list, list[tuple]]:
    """Move every upcoming booking `unit` can no longer honour (closure, day off, fewer places) to the nearest
    free time at the same unit. Returns (moved appointments, [(appointment, error message)] not moved)."""
    from apps.appointments.selectors import appointment_list_affected, slot_list_nearest

    if not user_can_access_object(user, unit, unit_field="pk"):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    moved, failed = [], []
    for affected in appointment_list_affected(unit=unit, **({"now": now} if now else {})):
        appointment = affected.appointment
        # Later bookings of the same run take the places the earlier ones leave: ask again each time.
        options = slot_list_nearest(
            unit=unit,
            procedure=appointment.procedure,
            near=appointment.slot.starts_at,
            limit=1,
            other_units=0,
            exclude=[(unit.pk, appointment.slot.starts_at)],
            **({"now": now} if now else {}),
        )
        if not options:
            failed.append((appointment, str(NO_FREE_SLOT)))
            continue
        try:
            moved.append(appointment_move(appointment=appointment, user=user, starts_at=options[0].starts_at, now=now))
        except ValidationError as error:
            failed.append((appointment, " ".join(error.messages)))
    return moved, failed


# --- Reviewing filings ---------------------------------------------------------------------------------------
def filing_review_move(*, filing, target: str, user, reason: str = "", check_permission: bool = True):
    """An officer's move of a filing from the back office: only a filing of the officer's units, and only along
    the one table (`apps.filings.services.filing_transition` checks the move, the permission and the reason, records
    the timeline's event and messages the citizen); the change is written to the audit log, its states in the
    portal's language. `check_permission=False`: a move the officer may make through another right (cancelling
    the filing booked on a visit they may cancel). Returns the event."""
    from apps.filings.services import filing_transition
    from apps.filings.transitions import OFFICER

    if not user_can_access_object(user, filing, unit_field="appointment__unit"):
        raise PermissionDenied(RECORD_OF_OTHER_UNIT)
    with transaction.atomic():
        event = filing_transition(
            filing=filing, target=target, actor=OFFICER, user=user, reason=reason, check_permission=check_permission
        )
        audit_record(
            user=user,
            action=AuditAction.TRANSITION,
            obj=filing,
            detail=f"{_filing_state_text(event.source)} → {_filing_state_text(event.state)}"
            + (f": {event.reason}" if event.reason else ""),
            unit_id=object_unit_id(filing, unit_field="appointment__unit"),
        )
    return event


# --- Filings follow the counter -----------------------------------------------------------------------------
def _filing_follow_counter(*, appointment, target: str, user, source: str | None = None) -> None:
    """Arrival or absence at the counter moves the filing booked on this appointment ("received", "no_show"),
    when the filings' transition table allows that move from where the filing stands (else it stays)."""
    from apps.filings.models import Filing
    from apps.filings.services import filing_transition
    from apps.filings.transitions import COUNTER, move_find

    filing = Filing.objects.filter(appointment=appointment).first()
    if filing is None or move_find(source=filing.state, target=target, actor=COUNTER) is None:
        return
    if source is not None and filing.state != source:
        return
    filing_transition(filing=filing, target=target, actor=COUNTER, user=user)


# --- Resending messages to citizens -------------------------------------------------------------------------
RESEND_TOO_MANY_SELECTED = _("Select at most %(limit)d messages to resend at once.")
RESEND_OFFICER_LIMIT = _("At most %(limit)d messages can be resent per officer per hour: try again later.")


def notification_resend_by_officer(*, user, notifications) -> tuple[int, list[str]]:
    """Resend messages on an officer's behalf: at most NOTIFICATIONS_RESEND_MAX_PER_ACTION at once and
    NOTIFICATIONS_RESEND_PER_OFFICER_PER_HOUR per officer (counted from the audit log), each one audited.
    Returns (resent, refusal messages); raises ValidationError when a limit refuses the whole request."""
    from apps.notifications.services import notification_resend

    per_action = settings.NOTIFICATIONS_RESEND_MAX_PER_ACTION
    selected = list(notifications[: per_action + 1])
    if len(selected) > per_action:
        raise ValidationError(RESEND_TOO_MANY_SELECTED % {"limit": per_action}, code="too_many")
    per_hour = settings.NOTIFICATIONS_RESEND_PER_OFFICER_PER_HOUR
    with transaction.atomic():
        # One officer's resends are counted under a lock on their account row, so two tabs cannot both pass.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        done = AuditLogEntry.objects.filter(
            user=user, action=AuditAction.RESEND, at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if done + len(selected) > per_hour:
            raise ValidationError(RESEND_OFFICER_LIMIT % {"limit": per_hour}, code="officer_limit")
        resent, refused = 0, []
        for notification in selected:
            try:
                copy = notification_resend(notification=notification)
            except ValidationError as exc:
                refused.extend(exc.messages)
                continue
            audit_record(user=user, action=AuditAction.RESEND, obj=notification, detail=f"→ #{copy.pk}")
            resent += 1
    return resent, refused


# --- Bulk cancel -------------------------------------------------------------------------------------------
CANCEL_REASON_REQUIRED = _("Give the reason: each citizen reads it in the cancellation message.")
CANCEL_NOT_BOOKED = _("Only a booked appointment can be cancelled (this one is “%(status)s”).")
CANCEL_FILING_STATE = _("This filing cannot be cancelled from “%(state)s”.")


def appointment_cancel_plan(*, appointment) -> bool:
    """Whether `appointment_cancel_by_officer` would cancel this booking (what the confirmation page shows)."""
    from apps.appointments.models import AppointmentStatus

    return appointment.status == AppointmentStatus.BOOKED


def filing_cancel_plan(*, filing) -> bool:
    """Whether `filing_cancel_by_officer` would cancel this filing (its visit goes with it)."""
    from apps.filings.models import FilingState
    from apps.filings.transitions import OFFICER, move_find

    return move_find(source=filing.state, target=FilingState.CANCELLED, actor=OFFICER) is not None


def _reason_required(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(CANCEL_REASON_REQUIRED, code="reason_required")})
    return reason


def _filing_cancel(*, filing, user, reason: str) -> None:
    """Cancel a filing through the filings' transition table (its booked visit is freed by the same service, and
    the citizen's message carries `reason`); one event in the filing's timeline, one entry in the audit log. The
    officer may cancel bookings, so the filing booked on one follows even without the right to review filings
    (`filing_review_move` is the reviewer's own move)."""
    from apps.filings.models import FilingState

    filing_review_move(filing=filing, target=FilingState.CANCELLED, user=user, reason=reason, check_permission=False)


def _filing_state_text(state: str) -> str:
    """A filing's state as the audit log shows it, in the portal's language whoever reads it later."""
    from apps.filings.models import FilingState

    with translation.override(settings.LANGUAGE_CODE):
        return str(dict(FilingState.choices).get(state, state))


def appointment_cancel_by_officer(*, appointments, user, reason: str, now=None) -> tuple[list, list[tuple]]:
    """Cancel bookings for an officer, each citizen told by message with `reason` (required), each cancellation
    written once to the audit log. A booking that belongs to a filing is cancelled by cancelling the filing
    (`filings.transitions`), which frees the place and tells the citizen; one without a filing is cancelled
    alone. Returns (cancelled, [(appointment, why not)]). Bookings of other units are refused."""
    from apps.appointments.services import appointment_cancel
    from apps.filings.models import Filing
    from apps.notifications.services import notification_send_appointment_change

    reason = _reason_required(reason)
    cancelled, refused = [], []
    appointments = list(appointments)
    filings = {f.appointment_id: f for f in Filing.objects.filter(appointment__in=appointments)}
    for appointment in appointments:
        if not user_can_access_object(user, appointment, unit_field="unit"):
            refused.append((appointment, str(RECORD_OF_OTHER_UNIT)))
            continue
        if not appointment_cancel_plan(appointment=appointment):
            refused.append((appointment, str(CANCEL_NOT_BOOKED % {"status": appointment.get_status_display()})))
            continue
        filing = filings.get(appointment.pk)
        try:
            if filing is not None:
                if not filing_cancel_plan(filing=filing):
                    raise ValidationError(CANCEL_FILING_STATE % {"state": filing.get_state_display()})
                _filing_cancel(filing=filing, user=user, reason=reason)
                appointment.refresh_from_db()
            else:
                appointment_cancel(
                    appointment=appointment,
                    reason=reason,
                    notify=notification_send_appointment_change,
                    **({"now": now} if now else {}),
                )
                audit_record(
                    user=user,
                    action=AuditAction.CHANGE,
                    obj=appointment,
                    detail=f"{appointment.get_status_display()}: {reason}",
                    unit_id=appointment.unit_id,
                )
        except ValidationError as error:
            refused.append((appointment, " ".join(error.messages)))
            continue
        cancelled.append(appointment)
    return cancelled, refused


def filing_cancel_by_officer(*, filings, user, reason: str) -> tuple[list, list[tuple]]:
    """Cancel filings (and their booked visits) for an officer through the filings' transition table; each
    citizen is told `reason` (required) by message; each cancellation is written once to the audit log.
    Returns (cancelled, [(filing, why not)]). Filings of other units are refused."""
    reason = _reason_required(reason)
    cancelled, refused = [], []
    for filing in filings:
        if not user_can_access_object(user, filing, unit_field="appointment__unit"):
            refused.append((filing, str(RECORD_OF_OTHER_UNIT)))
            continue
        if not filing_cancel_plan(filing=filing):
            refused.append((filing, str(CANCEL_FILING_STATE % {"state": filing.get_state_display()})))
            continue
        try:
            _filing_cancel(filing=filing, user=user, reason=reason)
        except ValidationError as error:
            refused.append((filing, " ".join(error.messages)))
            continue
        cancelled.append(filing)
    return cancelled, refused


# --- Closing a counter for a day ----------------------------------------------------------------------------
CLOSE_NOT_ALLOWED = _("You may close only your own unit's counter.")
CLOSE_DAY_PAST = _("This day has passed: choose today or a later day.")
CLOSE_ALREADY = _("This counter is already closed on %(date)s.")
CLOSE_MOVE, CLOSE_CANCEL = "move", "cancel"


def closure_close_day(*, unit, day, reason: str, outcome: str, user, now=None):
    """Close `unit`'s counter for the whole of `day`, then move each citizen booked on it to the nearest free time
    of the unit (`outcome="move"`; one with no free time left stays booked, to be called) or cancel their booking
    (`"cancel"`, the filing through its transitions). Every citizen's message carries `reason` (required).
    Only the unit's own officers (or the district's) may; each step is written to the audit log.
    Returns the closure and its `ClosureBooking` rows."""
    from apps.appointments.models import Appointment, Closure
    from apps.appointments.selectors import slot_list_nearest
    from apps.appointments.services import closure_create

    from .selectors import closure_day_bookings

    now = now or timezone.now()
    if not user.has_perm("appointments.add_closure") or not user_can_access_object(user, unit, unit_field="pk"):
        raise PermissionDenied(CLOSE_NOT_ALLOWED)
    reason = _reason_required(reason)
    if day < timezone.localdate(now):
        raise ValidationError({"day": ValidationError(CLOSE_DAY_PAST, code="past")})
    tz = timezone.get_current_timezone()
    starts_at = datetime.combine(day, time.min, tzinfo=tz)
    ends_at = starts_at + timedelta(days=1)
    if Closure.objects.filter(unit=unit, starts_at__lte=starts_at, ends_at__gte=ends_at).exists():
        raise ValidationError(
            {"day": ValidationError(CLOSE_ALREADY, code="closed", params={"date": f"{day:%d/%m/%Y}"})}
        )
    bookings = list(closure_day_bookings(unit=unit, day=day, now=now))
    with transaction.atomic():
        closure, _affected = closure_create(unit=unit, starts_at=starts_at, ends_at=ends_at, reason=reason, now=now)
        audit_record(
            user=user, action=AuditAction.ADD, obj=closure, detail=f"{day:%d/%m/%Y}: {reason}", unit_id=unit.pk
        )
    rows = []
    for appointment in bookings:
        previous = appointment.slot.starts_at
        result, detail = ClosureOutcome.CANCELLED, ""
        if outcome == CLOSE_MOVE:
            options = slot_list_nearest(
                unit=unit, procedure=appointment.procedure, near=previous, limit=1, other_units=0, now=now
            )
            result, detail = ClosureOutcome.NOT_MOVED, str(NO_FREE_SLOT)
            if options:
                try:
                    moved = appointment_move(
                        appointment=appointment, user=user, starts_at=options[0].starts_at, now=now, reason=reason
                    )
                except ValidationError as error:
                    detail = " ".join(error.messages)
                else:
                    result = ClosureOutcome.MOVED
                    detail = f"{timezone.localtime(moved.slot.starts_at):%H:%M %d/%m/%Y}"
        else:
            _cancelled, refused = appointment_cancel_by_officer(
                appointments=[appointment], user=user, reason=reason, now=now
            )
            if refused:
                result, detail = ClosureOutcome.NOT_MOVED, refused[0][1]
        row = ClosureBooking(
            closure=closure,
            appointment=Appointment.objects.get(pk=appointment.pk),
            previous_starts_at=previous,
            outcome=result,
            detail=detail[:300],
        )
        row.full_clean()
        row.save()
        rows.append(row)
    return closure, rows


# --- Walk-ins and phone bookings ----------------------------------------------------------------------------
BOOK_NOT_ALLOWED = _("You may book only at your own units.")
BOOK_CHECK_IN_TODAY = _("Only a citizen booked for today can be checked in now: untick “here now” for a later day.")


def appointment_book_at_counter(
    *, user, unit, procedure, starts_at, holder_name: str, phone: str, id_number: str = "", check_in: bool = False
):
    """An officer books for a citizen who came without a booking or called: a filing and its appointment through
    the citizens' own services (`filing_book_at_counter`: capacity, one booking per card number, per-phone
    limits), written to the audit log; `check_in` (the citizen is at the counter) records the arrival at once,
    with its queue number. Returns (filing, arrival or None)."""
    from apps.filings.services import filing_book_at_counter

    if not user.has_perm("backoffice.check_in") or not user_can_access_object(user, unit, unit_field="pk"):
        raise PermissionDenied(BOOK_NOT_ALLOWED)
    if check_in and timezone.localdate(starts_at) != timezone.localdate():
        raise ValidationError({"check_in": ValidationError(BOOK_CHECK_IN_TODAY, code="other_day")})
    filing = filing_book_at_counter(
        procedure=procedure,
        unit=unit,
        starts_at=starts_at,
        holder_name=holder_name,
        phone=phone,
        id_number=id_number,
        holder_key=f"counter:{user.pk}",
    )
    with translation.override(settings.LANGUAGE_CODE):
        how = str(_("at the counter") if check_in else _("by phone"))
    audit_record(
        user=user,
        action=AuditAction.ADD,
        obj=filing,
        detail=f"{how}: {timezone.localtime(filing.appointment.slot.starts_at):%H:%M %d/%m/%Y}",
        unit_id=unit.pk,
    )
    arrival = None
    if check_in:
        arrival = appointment_check_in(appointment=filing.appointment, user=user, unit=unit)
    return filing, arrival
