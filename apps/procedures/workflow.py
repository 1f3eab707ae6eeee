"""The officers' review of a procedure request, through the back office's workflow machinery (state changes go
through `backoffice.services.state_transition_apply`: allowed moves only, reason when needed, audit log)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.appointments.services import appointment_cancel
from apps.backoffice.workflow import Transition, Workflow
from apps.core.codes import code_format
from apps.notifications.models import Kind
from apps.notifications.services import notification_send

from .models import RequestStatus


def procedure_request_notify_status(*, obj, transition, reason: str) -> None:
    """Tell the citizen, in their language, what happened to their file (and why, when a reason was given)."""
    from .services import procedure_request_done_path

    with translation.override(obj.language):
        notification_send(
            kind=Kind.DECLARATION_STATUS_CHANGED,
            language=obj.language,
            context={
                "name": obj.holder_name,
                "code": code_format(obj.code),
                "status": str(obj.get_status_display()),
                "note": reason,
                "url": settings.SITE_URL + procedure_request_done_path(request=obj),
            },
            phone=str(obj.phone),
            subject=obj,
        )


def procedure_request_on_apply(*, obj, transition, user) -> list[str]:
    """A cancelled request frees its booked place."""
    if transition.target == RequestStatus.CANCELLED and obj.appointment_id:
        appointment_cancel(appointment=obj.appointment, reason=str(_("Request cancelled by the police unit")))
    return []


REVIEW = Workflow(
    state_field="status",
    unit_field="appointment__unit",
    transitions=(
        Transition(
            source=(RequestStatus.SUBMITTED, RequestStatus.RETURNED),
            target=RequestStatus.ACCEPTED,
            label=_("Accept the file"),
        ),
        Transition(
            source=(RequestStatus.SUBMITTED, RequestStatus.ACCEPTED),
            target=RequestStatus.RETURNED,
            label=_("Return for corrections"),
            reason_required=True,
        ),
        Transition(source=(RequestStatus.ACCEPTED,), target=RequestStatus.COMPLETED, label=_("Mark as completed")),
        Transition(
            source=(RequestStatus.SUBMITTED, RequestStatus.RETURNED),
            target=RequestStatus.CANCELLED,
            label=_("Cancel the request"),
            reason_required=True,
        ),
    ),
    notify=procedure_request_notify_status,
    on_apply=procedure_request_on_apply,
)
