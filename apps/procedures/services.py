from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.appointments.models import AppointmentStatus
from apps.appointments.services import appointment_book, appointment_cancel, appointment_hold, appointment_reschedule
from apps.core.codes import code_format, code_generate
from apps.filings.tokens import receipt_token
from apps.notifications.models import Kind
from apps.notifications.services import notification_send, notification_send_appointment_change
from apps.units.models import PoliceUnit

from .forms.registry import form_class_for
from .models import Procedure, ProcedureRequest, RequestStatus

PROCEDURE_NOT_BOOKABLE = _("This procedure cannot be booked online at the moment.")
REQUEST_DATA_INVALID = _("Some details of this request are not valid: %(errors)s")
STATUS_CHANGE_NOT_ALLOWED = _("A request that is “%(status)s” cannot be changed this way.")
NO_TIME_HELD = _("Choose a time for your visit first.")

CODE_ATTEMPTS = 10


def procedure_request_clean_data(*, procedure: Procedure, holder_name: str, phone: str, data: dict) -> dict:
    """Validate stored details with the procedure's form, the same checks as the citizen's; cleaned data back."""
    form_class = form_class_for(procedure.slug)
    if form_class is None:
        raise ValidationError(PROCEDURE_NOT_BOOKABLE, code="not_bookable")
    form = form_class(data={**data, "holder_name": holder_name, "phone": str(phone)})
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(messages)}"
            for name, messages in form.errors.items()
        )
        raise ValidationError(REQUEST_DATA_INVALID, code="invalid_data", params={"errors": errors})
    return form.to_data()


@transaction.atomic
def procedure_request_create(
    *, procedure: Procedure, holder_name: str, phone: str, language: str, data: dict[str, Any]
) -> ProcedureRequest:
    """A draft request with its code; it becomes SUBMITTED once the visit is booked and the phone confirmed."""
    if not procedure.is_active:
        raise ValidationError(PROCEDURE_NOT_BOOKABLE, code="not_bookable")
    cleaned = procedure_request_clean_data(procedure=procedure, holder_name=holder_name, phone=phone, data=data)
    # Codes are random (apps.core.codes); on the rare collision, draw again, the unique constraint has the last
    # word (as pretix's Order.assign_code).
    for attempt in range(CODE_ATTEMPTS):
        request = ProcedureRequest(
            procedure=procedure,
            code=code_generate(),
            holder_name=holder_name,
            phone=phone,
            language=language,
            data=cleaned,
        )
        request.full_clean()
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            if attempt == CODE_ATTEMPTS - 1:
                raise
            continue
        return request
    raise AssertionError("unreachable")


def _change_status(*, request: ProcedureRequest, allowed_from: set[str], status: str, **fields) -> ProcedureRequest:
    if request.status not in allowed_from:
        raise ValidationError(STATUS_CHANGE_NOT_ALLOWED, code="status", params={"status": request.get_status_display()})
    request.status = status
    for name, value in fields.items():
        setattr(request, name, value)
    request.full_clean()
    request.save()
    return request


def procedure_request_submit(*, request: ProcedureRequest) -> ProcedureRequest:
    """The citizen confirmed the phone and booked: the file waits for the visit."""
    return _change_status(
        request=request,
        allowed_from={RequestStatus.DRAFT},
        status=RequestStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def procedure_request_update(
    *, request: ProcedureRequest, holder_name: str, phone: str, language: str, data: dict[str, Any]
) -> ProcedureRequest:
    """The citizen went back and changed the form before confirming: same draft, same code."""
    if request.status != RequestStatus.DRAFT:
        raise ValidationError(STATUS_CHANGE_NOT_ALLOWED, code="status", params={"status": request.get_status_display()})
    request.data = procedure_request_clean_data(
        procedure=request.procedure, holder_name=holder_name, phone=phone, data=data
    )
    if request.appointment_id and str(request.phone) != str(phone):
        # The held place was taken for the old number: choose the time again (a new hold from the same browser
        # releases the old one).
        request.appointment = None
    request.holder_name, request.phone, request.language = holder_name, phone, language
    request.full_clean()
    request.save()
    return request


def procedure_request_hold(
    *, request: ProcedureRequest, unit: PoliceUnit, starts_at: datetime, holder_key: str
) -> ProcedureRequest:
    """Hold the chosen time for the draft (appointments' rules: capacity, lead time, one hold per browser)."""
    if request.status != RequestStatus.DRAFT:
        raise ValidationError(STATUS_CHANGE_NOT_ALLOWED, code="status", params={"status": request.get_status_display()})
    form_class = form_class_for(request.procedure.slug)
    id_number = form_class.holder_id_number_from(request.data) if form_class else ""
    appointment = appointment_hold(
        unit=unit,
        procedure=request.procedure,
        starts_at=starts_at,
        phone=str(request.phone),
        id_number=id_number,
        holder_key=holder_key,
    )
    request.appointment = appointment
    request.save(update_fields=["appointment", "updated_at"])
    return request


def procedure_request_confirm(*, request: ProcedureRequest) -> ProcedureRequest:
    """The phone is confirmed: book the held time under the request's code, submit the request, send the
    confirmation. Call outside a transaction: the booking takes the slot's lock in its own transaction."""
    if request.status != RequestStatus.DRAFT:
        raise ValidationError(STATUS_CHANGE_NOT_ALLOWED, code="status", params={"status": request.get_status_display()})
    if request.appointment is None:
        raise ValidationError(NO_TIME_HELD, code="no_time")
    form_class = form_class_for(request.procedure.slug)
    appointment = appointment_book(
        appointment=request.appointment,
        reference=request.code,
        holder_name=request.holder_name,
        # The details may have been corrected after the time was held.
        id_number=(form_class.holder_id_number_from(request.data) if form_class else "") or None,
    )
    with transaction.atomic():
        procedure_request_submit(request=request)
        with translation.override(request.language):
            starts_at = timezone.localtime(appointment.starts_at)
            notification_send(
                kind=Kind.PROCEDURE_BOOKED,
                language=request.language,
                context={
                    "name": request.holder_name,
                    "procedure": request.procedure.display_name,
                    "reference": code_format(request.code),
                    "unit": appointment.unit.display_name,
                    "address": appointment.unit.display_address,
                    "date": f"{starts_at:%d/%m/%Y}",
                    "time": f"{starts_at:%H:%M}",
                    "url": settings.SITE_URL + procedure_request_done_path(request=request),
                },
                phone=str(request.phone),
                subject=request,
            )
    return request


def procedure_request_done_path(*, request: ProcedureRequest) -> str:
    """The address of the request's done page (code, QR, calendar file) in the citizen's language."""
    with translation.override(request.language):
        return reverse("procedures:done", kwargs={"slug": request.procedure.slug, "token": receipt_token(request.code)})


CHANGEABLE = (RequestStatus.SUBMITTED, RequestStatus.RETURNED)
CANNOT_CHANGE_BOOKING = _("This booking can no longer be moved or cancelled online. Please call the police unit.")
CANCELLED_BY_CITIZEN = _("Cancelled by the citizen")


def procedure_request_can_change(*, request: ProcedureRequest) -> bool:
    appointment = request.appointment
    return (
        request.status in CHANGEABLE
        and appointment is not None
        and appointment.status == AppointmentStatus.BOOKED
        and appointment.starts_at > timezone.now()
    )


def procedure_request_reschedule(
    *, request: ProcedureRequest, unit: PoliceUnit, starts_at: datetime
) -> ProcedureRequest:
    """The citizen moves their visit (same code); appointments' rules apply and the citizen gets the new time."""
    if not procedure_request_can_change(request=request):
        raise ValidationError(CANNOT_CHANGE_BOOKING, code="cannot_change")
    appointment_reschedule(
        appointment=request.appointment, starts_at=starts_at, unit=unit, notify=notification_send_appointment_change
    )
    return request


def procedure_request_cancel(*, request: ProcedureRequest) -> ProcedureRequest:
    """The citizen cancels: the place is freed, the request is cancelled, the citizen gets a message."""
    if not procedure_request_can_change(request=request):
        raise ValidationError(CANNOT_CHANGE_BOOKING, code="cannot_change")
    with transaction.atomic():
        appointment_cancel(
            appointment=request.appointment,
            reason=str(CANCELLED_BY_CITIZEN),
            notify=notification_send_appointment_change,
        )
        _change_status(request=request, allowed_from=set(CHANGEABLE), status=RequestStatus.CANCELLED)
    return request
