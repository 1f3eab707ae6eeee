from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_generate

from .forms.registry import form_class_for
from .models import Procedure, ProcedureRequest, RequestStatus

PROCEDURE_NOT_BOOKABLE = _("This procedure cannot be booked online at the moment.")
REQUEST_DATA_INVALID = _("Some details of this request are not valid: %(errors)s")
STATUS_CHANGE_NOT_ALLOWED = _("A request that is “%(status)s” cannot be changed this way.")
RETURN_NEEDS_NOTE = _("Say what the citizen must correct: the note is sent with the returned file.")

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


def procedure_request_accept(*, request: ProcedureRequest) -> ProcedureRequest:
    return _change_status(
        request=request, allowed_from={RequestStatus.SUBMITTED, RequestStatus.RETURNED}, status=RequestStatus.ACCEPTED
    )


def procedure_request_return(*, request: ProcedureRequest, note: str) -> ProcedureRequest:
    if not note.strip():
        raise ValidationError(RETURN_NEEDS_NOTE, code="note_required")
    return _change_status(
        request=request,
        allowed_from={RequestStatus.SUBMITTED, RequestStatus.ACCEPTED},
        status=RequestStatus.RETURNED,
        officer_note=note.strip(),
    )


def procedure_request_complete(*, request: ProcedureRequest) -> ProcedureRequest:
    return _change_status(request=request, allowed_from={RequestStatus.ACCEPTED}, status=RequestStatus.COMPLETED)


def procedure_request_cancel(*, request: ProcedureRequest) -> ProcedureRequest:
    return _change_status(
        request=request,
        allowed_from={RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.RETURNED},
        status=RequestStatus.CANCELLED,
    )
