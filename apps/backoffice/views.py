"""The counter's pages in the back office: the day's roster, check-in by QR, no-show, moving bookings.

Every page is an admin page (staff sign-in, admin look) and works on the officer's own units only.
"""

import io
from datetime import date

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.core.middleware import PERMISSIONS_POLICY

from . import selectors
from .forms import CloseDayForm, CounterBookingForm, MoveForm, ScanForm
from .masking import mask_phone
from .models import AuditAction
from .scoping import queryset_scope_to_user, user_can_access_object
from .selectors import (
    SCAN_NOT_FOUND,
    SEARCH_NOTHING,
    appointment_find_for_code,
    closure_booking_rows,
    closure_day_bookings,
    closure_for_day,
    counter_search,
    roster_counts,
    roster_list,
    roster_outline,
    roster_request_labels,
    roster_units,
    scan_code_parse,
)
from .services import (
    CHECKIN_OTHER_UNIT,
    appointment_book_at_counter,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_mark_no_show,
    appointment_move,
    appointment_move_affected,
    audit_record,
    closure_close_day,
    notification_resend_by_officer,
)


def _counter(request):
    """The officer's units and the one whose counter this page is for (`unit` parameter, default the first)."""
    units = list(roster_units(user=request.user))
    if not units:
        raise PermissionDenied(gettext("Your account is not attached to any unit: ask your administrator."))
    wanted = request.POST.get("unit") or request.GET.get("unit")
    unit = next((u for u in units if str(u.pk) == wanted), units[0])
    return units, unit


def _day(request) -> date:
    try:
        return date.fromisoformat(request.POST.get("day") or request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def _roster_url(unit, day: date | None = None) -> str:
    query = {"unit": unit.pk, **({"day": day.isoformat()} if day else {})}
    return f"{reverse('backoffice:roster')}?{urlencode(query)}"


def _context(request, **kwargs):
    return {**admin.site.each_context(request), **kwargs}


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def _roster_headers():
    return [
        gettext("Time"),
        gettext("Code"),
        gettext("Name"),
        gettext("Request"),
        gettext("Status"),
        gettext("Arrived at"),
    ]


def _page_number(request) -> int | None:
    try:
        return int(request.GET.get("page", ""))
    except ValueError:
        return None


@permission_required("appointments.view_appointment", raise_exception=True)
def roster_view(request):
    """The day's bookings of a unit, a page at a time (the next people first on the current day); the printable
    page and the CSV/Excel files have the whole day."""
    units, unit = _counter(request)
    day = _day(request)
    export = request.GET.get("format")
    printable = bool(request.GET.get("print"))
    outline = part = None
    if export in ("csv", "xlsx") or printable:
        appointments = list(roster_list(unit=unit, day=day))
        counts = roster_counts(appointments=appointments)
    else:
        outline = roster_outline(unit=unit, day=day)
        counts = outline.counts
        part = outline.part(_page_number(request))
        appointments = list(roster_list(unit=unit, day=day)[part.offset : part.offset + part.rows]) if part else []
    labels = roster_request_labels(appointments=appointments)
    if export in ("csv", "xlsx"):
        return _roster_export(request, unit=unit, day=day, appointments=appointments, labels=labels, fmt=export)
    now = timezone.now()
    rows = [
        {
            "appointment": a,
            "request": labels[a.pk],
            "phone": mask_phone(a.phone),
            "arrival": getattr(a, "arrival", None),
            "can_check_in": a.status in ("booked", "no_show"),
            "can_no_show": a.status == "booked" and a.slot.starts_at <= now,
            "can_undo": a.status == "checked_in",
            "can_move": a.status == "booked",
        }
        for a in appointments
    ]
    context = _context(
        request,
        title=gettext("Roster of %(unit)s, %(day)s") % {"unit": unit, "day": day.strftime("%d/%m/%Y")},
        units=units,
        unit=unit,
        day=day,
        rows=rows,
        counts=counts,
        parts=outline.parts if outline else [],
        part=part,
        page_size=selectors.ROSTER_PAGE_SIZE,
        previous_day=_roster_url(unit, date.fromordinal(day.toordinal() - 1)),
        next_day=_roster_url(unit, date.fromordinal(day.toordinal() + 1)),
        today=_roster_url(unit),
        is_today=day == timezone.localdate(),
        scan_form=ScanForm(),
        query=urlencode({"unit": unit.pk, "day": day.isoformat()}),
        can_check_in=request.user.has_perm("backoffice.check_in"),
        can_move=request.user.has_perm("appointments.change_appointment"),
        can_close=request.user.has_perm("appointments.add_closure"),
        closure=closure_for_day(unit=unit, day=day),
    )
    template = "backoffice/roster_print.html" if printable else "backoffice/roster.html"
    return TemplateResponse(request, template, context)


def _roster_export(request, *, unit, day, appointments, labels, fmt):
    """One unit's day (bounded by its capacity): written in the request, with the exports' writers (typed XLSX
    cells, CSV for Vietnamese Excel, formulas neutralised) and the columns the counter needs."""
    from apps.appointments.models import Appointment
    from apps.exports.writers import WRITERS, phone_national

    stream = io.BytesIO()
    writer = WRITERS[fmt](stream, sheet_title=f"{day:%d-%m-%Y}", title=[str(unit), day])
    writer.header([*_roster_headers(), gettext("Phone"), gettext("Card number"), gettext("No.")])
    for appointment in appointments:
        arrival = getattr(appointment, "arrival", None)
        writer.row(
            [
                timezone.localtime(appointment.slot.starts_at).time(),
                appointment.reference,
                appointment.holder_name,
                labels[appointment.pk],
                appointment.get_status_display(),
                timezone.localtime(arrival.at).time().replace(microsecond=0) if arrival else None,
                phone_national(str(appointment.phone or "")),
                appointment.id_number,
                arrival.queue_number if arrival else None,
            ]
        )
    writer.close()
    content_types = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
    response = HttpResponse(stream.getvalue(), content_type=content_types[fmt])
    response["Content-Disposition"] = f'attachment; filename="lich-hen-{unit.slug}-{day:%Y%m%d}.{fmt}"'
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        model=Appointment,
        unit_id=unit.pk,
        detail=gettext("Roster of %(day)s: %(count)s rows, %(format)s")
        % {"day": f"{day:%d/%m/%Y}", "count": len(appointments), "format": fmt.upper()},
    )
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission_required("backoffice.check_in", raise_exception=True)
def check_in_view(request):
    """The scanner's page. POST (the scanner's Enter) checks in at once; GET with `t` (a camera that opened the
    QR's address) only shows the booking, with a button to confirm."""
    units, unit = _counter(request)
    appointment = arrival = None
    outcome = None  # "done", or the code of the refusal
    error = None
    if request.method == "POST":
        form = ScanForm(request.POST)
    else:
        scanned = request.GET.get("t") or request.GET.get("code")
        form = ScanForm(initial={"scan": scanned}) if scanned else ScanForm()
        if scanned:
            form = ScanForm({"scan": scanned})
    results = None  # the search by name or phone, when what was typed is no code
    if form.is_bound and form.is_valid():
        try:
            code = scan_code_parse(text=form.cleaned_data["scan"])
        except ValidationError as exc:
            code = None
            if exc.code == "unreadable":
                results = counter_search(unit=unit, term=form.cleaned_data["scan"])
            if not results:
                form.add_error("scan", exc if exc.code != "unreadable" else ValidationError(SEARCH_NOTHING))
        if code is not None:
            appointment = appointment_find_for_code(code=code)
            if appointment is None:
                # A name typed without spaces can look like a code: search before saying "no such code".
                results = counter_search(unit=unit, term=form.cleaned_data["scan"])
                if not results:
                    form.add_error("scan", ValidationError(SCAN_NOT_FOUND, params={"code": code}))
            elif request.method == "POST":
                try:
                    arrival = appointment_check_in(
                        appointment=appointment,
                        user=request.user,
                        unit=unit,
                        other_day_ok=form.cleaned_data["other_day_ok"],
                    )
                except ValidationError as exc:
                    outcome, error = exc.code, exc
                else:
                    outcome = "done"
                    messages.success(
                        request,
                        gettext("%(name)s (%(code)s) has arrived.")
                        % {"name": appointment.holder_name, "code": appointment.reference},
                    )
            else:
                outcome = "confirm"
    if appointment is not None and appointment.unit_id != unit.pk:
        # Another unit's booking: say where it is; show nothing else of it unless the officer may see it.
        if error is None:
            error = ValidationError(CHECKIN_OTHER_UNIT, code="other_unit", params={"unit": appointment.unit})
        outcome = "other_unit"
        if not user_can_access_object(request.user, appointment, unit_field="unit"):
            appointment = None
    if appointment is not None and outcome in ("confirm", "other_day", "duplicate", "cancelled", "not_booked"):
        audit_record(user=request.user, action=AuditAction.VIEW, obj=appointment, detail=gettext("Counter"))
    next_form = ScanForm() if outcome == "done" else form
    today = timezone.localdate()
    search_rows = [
        {
            "appointment": a,
            "phone": mask_phone(a.phone),
            "other_day": timezone.localdate(a.slot.starts_at) != today,
            "can_check_in": a.status in ("booked", "no_show"),
        }
        for a in results or []
    ]
    context = _context(
        request,
        title=gettext("Check-in at %(unit)s") % {"unit": unit},
        units=units,
        unit=unit,
        form=next_form,
        appointment=appointment,
        phone=mask_phone(appointment.phone) if appointment else "",
        outcome=outcome,
        arrival=arrival,
        error=error,
        roster_url=_roster_url(unit),
        scan_value=form.data.get("scan", "") if form.is_bound else "",
        search_rows=search_rows,
        record_links=_record_links(appointment) if appointment else [],
    )
    response = TemplateResponse(request, "backoffice/check_in.html", context)
    # The one page that uses the camera (camera.js reads the QR); every other page keeps it off.
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
    return response


def _record_links(appointment) -> list[tuple[str, str]]:
    """Links to the citizen's records in admin: the filing the booking belongs to, and the booking itself."""
    links = []
    filing = _filing_for(appointment)
    if filing is not None:
        url = _admin_url(f"{filing._meta.app_label}_{filing._meta.model_name}_change", filing.pk)
        if url:
            links.append((gettext("Open the filing"), url))
    url = _admin_url("appointments_appointment_change", appointment.pk)
    if url:
        links.append((gettext("Open the booking"), url))
    return links


def _filing_for(appointment):
    """The filing booked on this appointment, whatever the procedure."""
    from apps.filings.models import Filing

    return Filing.objects.filter(appointment=appointment).first()


def _appointment_in_scope(request, pk: int):
    from apps.appointments.models import Appointment

    queryset = queryset_scope_to_user(
        Appointment.objects.select_related("slot", "unit", "procedure"), user=request.user, unit_field="unit"
    )
    return get_object_or_404(queryset, pk=pk)


# The roster's one-click row actions: each a service and the message it leaves on success.
ROW_ACTIONS = {
    "no-show": (appointment_mark_no_show, _("%(name)s (%(code)s) is marked as not come.")),
    "check-in-undo": (appointment_check_in_undo, _("The arrival of %(name)s (%(code)s) is undone.")),
}


@require_POST
@permission_required("backoffice.check_in", raise_exception=True)
def row_action_view(request, pk: int, action: str):
    """Mark a booking as not come, or undo its arrival, then back to its day's roster."""
    service, done = ROW_ACTIONS[action]
    appointment = _appointment_in_scope(request, pk)
    try:
        service(appointment=appointment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"name": appointment.holder_name, "code": appointment.reference})
    return redirect(_roster_url(appointment.unit, timezone.localdate(appointment.slot.starts_at)))


@permission_required("appointments.change_appointment", raise_exception=True)
def move_view(request, pk: int):
    from apps.appointments.selectors import slot_list_available, slot_list_nearest

    appointment = _appointment_in_scope(request, pk)
    if appointment.status != "booked":
        messages.error(request, gettext("Only a booked appointment can be moved."))
        return redirect(_roster_url(appointment.unit, timezone.localdate(appointment.slot.starts_at)))
    own_units = {u.pk for u in roster_units(user=request.user)}
    day = None
    if request.GET.get("day"):
        day = _day(request)
        # The free times of one day the officer asked for, at the booking's unit.
        candidates = [
            slot
            for available in slot_list_available(
                unit=appointment.unit, procedure=appointment.procedure, start=day, end=day
            )
            for slot in available.free_slots
            if slot.starts_at != appointment.slot.starts_at
        ]
    else:
        candidates = slot_list_nearest(
            unit=appointment.unit,
            procedure=appointment.procedure,
            near=max(appointment.slot.starts_at, timezone.now()),
            limit=12,
            other_units=5,
            exclude=[(appointment.unit_id, appointment.slot.starts_at)],
        )
    options = [option for option in candidates if option.unit.pk in own_units]
    form = MoveForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        option = form.cleaned_data["slot"]
        try:
            moved = appointment_move(
                appointment=appointment, user=request.user, starts_at=option.starts_at, unit=option.unit
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("%(name)s (%(code)s) moved to %(time)s; the citizen is told by message.")
                % {
                    "name": moved.holder_name,
                    "code": moved.reference,
                    "time": timezone.localtime(moved.slot.starts_at).strftime("%H:%M %d/%m/%Y"),
                },
            )
            return redirect(_roster_url(moved.unit, timezone.localdate(moved.slot.starts_at)))
    context = _context(
        request,
        title=gettext("Move the booking of %(name)s") % {"name": appointment.holder_name},
        appointment=appointment,
        form=form,
        day=day,
        roster_url=_roster_url(appointment.unit, timezone.localdate(appointment.slot.starts_at)),
    )
    return TemplateResponse(request, "backoffice/move.html", context)


@permission_required("appointments.change_appointment", raise_exception=True)
def move_affected_view(request):
    """Bookings a closure, a day off or fewer places left without a valid time: list them, move them all."""
    from apps.appointments.selectors import appointment_list_affected

    units, unit = _counter(request)
    if request.method == "POST":
        moved, failed = appointment_move_affected(unit=unit, user=request.user)
        if moved:
            messages.success(
                request,
                gettext("%(count)s bookings moved to the nearest free time; the citizens are told by message.")
                % {"count": len(moved)},
            )
        for appointment, reason in failed:
            messages.error(request, f"{appointment.reference} · {appointment.holder_name}: {reason}")
        return redirect(f"{reverse('backoffice:move-affected')}?{urlencode({'unit': unit.pk})}")
    context = _context(
        request,
        title=gettext("Bookings to move at %(unit)s") % {"unit": unit},
        units=units,
        unit=unit,
        affected=appointment_list_affected(unit=unit),
    )
    return TemplateResponse(request, "backoffice/move_affected.html", context)


# --- Closing a counter for a day ----------------------------------------------------------------------------
@permission_required("appointments.add_closure", raise_exception=True)
def close_day_view(request):
    """Close the counter for a day: the day, the reason and what to do with the citizens; then the list of
    citizens affected (this unit's only) and a confirmation; only then the closure, moves or cancellations."""
    units, unit = _counter(request)
    wanted = request.POST.get("unit") or request.GET.get("unit")
    if wanted and str(unit.pk) != wanted:
        raise PermissionDenied(gettext("You may close only your own unit's counter."))
    form = CloseDayForm(request.POST or None, initial={"day": _day(request)})
    affected = None
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["day"]
        if request.POST.get("confirm"):
            try:
                closure, rows = closure_close_day(
                    unit=unit,
                    day=day,
                    reason=form.cleaned_data["reason"],
                    outcome=form.cleaned_data["outcome"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    gettext("The counter of %(unit)s is closed on %(day)s; %(count)s citizens are told why.")
                    % {"unit": unit, "day": f"{day:%d/%m/%Y}", "count": len(rows)},
                )
                return redirect("backoffice:closure", pk=closure.pk)
        affected = list(closure_day_bookings(unit=unit, day=day))
    context = _context(
        request,
        title=gettext("Close the counter of %(unit)s for a day") % {"unit": unit},
        units=units,
        unit=unit,
        form=form,
        affected=affected,
    )
    return TemplateResponse(request, "backoffice/close_day.html", context)


def _closure_in_scope(request, pk: int):
    from apps.appointments.models import Closure

    queryset = queryset_scope_to_user(Closure.objects.select_related("unit"), user=request.user, unit_field="unit")
    return get_object_or_404(queryset, pk=pk)


@permission_required("appointments.view_closure", raise_exception=True)
def closure_view(request, pk: int):
    """The citizens a closed day took away: what became of each booking, whether their message was delivered,
    and a resend (bounded and audited by `notification_resend_by_officer`) for those it did not reach."""
    from apps.notifications.models import Notification

    closure = _closure_in_scope(request, pk)
    rows = closure_booking_rows(closure=closure)
    can_resend = request.user.has_perm("notifications.resend_notification")
    if request.method == "POST":
        if not can_resend:
            raise PermissionDenied
        ours = {row.message.pk for row in rows if row.message is not None}
        wanted = [int(pk) for pk in request.POST.getlist("message") if pk.isdigit() and int(pk) in ours]
        try:
            resent, refused = notification_resend_by_officer(
                user=request.user, notifications=Notification.objects.filter(pk__in=wanted).order_by("pk")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if resent:
                messages.success(request, gettext("%(count)s messages resent.") % {"count": resent})
            for why in refused:
                messages.error(request, why)
        return redirect("backoffice:closure", pk=closure.pk)
    local = timezone.localtime(closure.starts_at)
    context = _context(
        request,
        title=gettext("Citizens affected by the closure of %(unit)s on %(day)s")
        % {"unit": closure.unit, "day": f"{local:%d/%m/%Y}"},
        closure=closure,
        rows=rows,
        can_resend=can_resend,
        roster_url=_roster_url(closure.unit, local.date()),
    )
    return TemplateResponse(request, "backoffice/closure.html", context)


# --- Walk-ins and phone bookings ----------------------------------------------------------------------------
@permission_required("backoffice.check_in", raise_exception=True)
def book_view(request):
    """Book for a citizen at the counter (a walk-in, checked in at once) or on the phone: the procedure and the
    day (GET), then the free times of that day at this unit (capacity as for citizens), the name and the phone."""
    from apps.appointments.selectors import slot_list_available
    from apps.appointments.services import SlotUnavailable

    units, unit = _counter(request)
    procedures = list(unit.procedures.filter(is_active=True).order_by("name"))
    wanted = request.POST.get("procedure") or request.GET.get("procedure")
    procedure = next((p for p in procedures if str(p.pk) == wanted), procedures[0] if procedures else None)
    day = _day(request)
    options = []
    if procedure is not None:
        options = [
            slot
            for available in slot_list_available(unit=unit, procedure=procedure, start=day, end=day, by_officer=True)
            for slot in available.free_slots
        ]
    form = CounterBookingForm(request.POST or None, options=options, initial={"check_in": day == timezone.localdate()})
    if request.method == "POST" and procedure is not None and form.is_valid():
        data = form.cleaned_data
        try:
            filing, arrival = appointment_book_at_counter(
                user=request.user,
                unit=unit,
                procedure=procedure,
                starts_at=data["slot"].starts_at,
                holder_name=data["holder_name"],
                phone=data["phone"],
                id_number=data["id_number"],
                check_in=data["check_in"],
            )
        except SlotUnavailable as exc:
            form.add_error("slot", exc)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            text = gettext("%(name)s is booked at %(time)s, code %(code)s; the confirmation is sent by message.") % {
                "name": filing.holder_name,
                "time": timezone.localtime(filing.appointment.slot.starts_at).strftime("%H:%M %d/%m/%Y"),
                "code": filing.code,
            }
            if arrival is not None:
                text += " " + gettext("Queue number: %(number)s.") % {"number": arrival.queue_number}
            messages.success(request, text)
            return redirect(_roster_url(unit, timezone.localdate(filing.appointment.slot.starts_at)))
    context = _context(
        request,
        title=gettext("Book for a citizen at %(unit)s") % {"unit": unit},
        units=units,
        unit=unit,
        day=day,
        procedures=procedures,
        procedure=procedure,
        form=form,
    )
    return TemplateResponse(request, "backoffice/book.html", context)
