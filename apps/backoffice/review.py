"""The review of an identity-card declaration: its states, the moves officers may make, what the citizen hears.

    submitted ─→ checked ⇄ attended ─→ completed   (attended → checked: an arrival undone at the counter)
        │           │  └──→ no_show ─→ attended (came late)
        ├───────────┴──→ needs_correction ─→ checked
        └──→ rejected (from submitted, checked or needs_correction)

Rejecting and asking for a correction need a reason, which the citizen reads. Arrival at the counter moves a
checked (or not yet checked) declaration to "attended" by itself, a missed appointment to "no_show".
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import ReviewState as S
from .workflow import Transition, Workflow


def review_notify(*, obj, transition, reason: str) -> None:
    """Tell the citizen their declaration's review moved (kind "declaration_status_changed")."""
    from apps.core.codes import code_format
    from apps.notifications.services import notification_send

    declaration = obj.declaration
    language = declaration.language or settings.LANGUAGE_CODE
    with translation.override(language):
        status = str(S(transition.target).label)
        url = settings.SITE_URL + reverse("declarations:lookup")
    notification_send(
        kind="declaration_status_changed",
        language=language,
        context={
            "name": declaration.holder_name,
            "code": code_format(declaration.code),
            "status": status,
            "note": reason,
            "url": url,
        },
        phone=str(declaration.phone),
        subject=declaration,
    )


def review_on_apply(*, obj, transition, user) -> list[str]:
    from django.utils import timezone

    obj.updated_at = timezone.now()
    return ["updated_at"]


REVIEW = Workflow(
    state_field="state",
    unit_field="declaration__appointment__unit",
    transitions=(
        Transition(source=(S.SUBMITTED, S.NEEDS_CORRECTION), target=S.CHECKED, label=_("Mark as checked")),
        Transition(
            source=(S.SUBMITTED, S.CHECKED),
            target=S.NEEDS_CORRECTION,
            label=_("Ask for a correction"),
            reason_required=True,
        ),
        Transition(
            source=(S.SUBMITTED, S.CHECKED, S.NEEDS_CORRECTION),
            target=S.REJECTED,
            label=_("Reject"),
            reason_required=True,
        ),
        Transition(source=(S.SUBMITTED, S.CHECKED, S.NO_SHOW), target=S.ATTENDED, label=_("Came"), notify=False),
        Transition(source=(S.SUBMITTED, S.CHECKED), target=S.NO_SHOW, label=_("Did not come")),
        Transition(source=(S.ATTENDED,), target=S.COMPLETED, label=_("Complete the file")),
        # An arrival recorded by mistake is undone at the counter (appointment_check_in_undo).
        Transition(
            source=(S.ATTENDED,),
            target=S.CHECKED,
            label=_("Undo the arrival"),
            permission="backoffice.check_in",
            notify=False,
        ),
    ),
    notify=review_notify,
    on_apply=review_on_apply,
)
