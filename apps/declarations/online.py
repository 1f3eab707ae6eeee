"""The online-only path of the 2023 Identity Law: a child under 6 gives no biometrics, so the representative files
the request online and nobody comes to the counter (no appointment). See eligibility.py for who takes it.

Kept apart from services.declaration_submit (which books the held place) so the visit-less path stays one small
function: the same declaration, code and confirmation, without appointment_book.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.appointments.services import appointment_cancel
from apps.filings.models import Draft, Filing
from apps.filings.services import MSG_NOT_VERIFIED, filing_notify_state
from apps.filings.tokens import receipt_token

from . import eligibility
from .services import declaration_create

MSG_VISIT_NEEDED = _("From age 6 the card needs a visit to the counter: choose a time first.")
STATUS_ONLINE = _("Received online: no visit is needed for a child under 6")
NOTE_ONLINE = _("We will tell you when the card is ready to be sent or collected.")


def visit_needed(answers: dict) -> bool:
    return eligibility.needs_visit(birth=answers.get("birth_date"), on=timezone.localdate())


def comes_with_representative(answers: dict) -> bool:
    """6 to 13: the child comes to the counter with the representative (biometrics from age 6)."""
    birth = answers.get("birth_date")
    return birth is not None and eligibility.path_for(birth=birth, on=timezone.localdate()) is (
        eligibility.Path.WITH_REPRESENTATIVE
    )


def declaration_submit_online(*, draft: Draft, answers: dict, language: str) -> Filing:
    """Store the declaration of a child under 6 without an appointment and confirm it to the representative's
    phone. A place held earlier in the journey (before the date of birth was corrected) is released."""
    if visit_needed(answers):
        raise ValidationError(MSG_VISIT_NEEDED, code="visit_needed")
    phone = answers["phone"].as_e164
    if not draft.verified_phone or draft.verified_phone != phone:
        raise ValidationError(MSG_NOT_VERIFIED, code="not_verified")
    with transaction.atomic():
        hold = draft.hold
        declaration = declaration_create(draft=draft, answers=answers, language=language)
        if hold is not None:
            appointment_cancel(appointment=hold)
        with translation.override(language):
            status, note = str(STATUS_ONLINE), str(NOTE_ONLINE)
        filing_notify_state(
            filing=declaration,
            reason=note,
            status=status,
            url=settings.SITE_URL + reverse("declarations:done", args=[receipt_token(declaration.code)]),
            email=True,
        )
    return declaration
