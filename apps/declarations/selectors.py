"""Reads of the declarations app: the journey's steps, a draft's answers, lookups."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.filings import selectors as filings_selectors
from apps.filings.models import Draft

from . import forms

IDENTITY_CARD = "cap-cccd"  # Procedure.IDENTITY_CARD, without importing the catalogue here


@dataclass(frozen=True)
class Step:
    slug: str  # path segment under /thu-tuc/cap-cccd/ ("" = the start page)
    title: object
    form_class: type | None = None


# The journey in order. "lich-hen" (appointment) and "xac-nhan" (confirmation code) use the appointments and
# notifications apps' services; they are procedure-agnostic (see docs/ARCHITECTURE.md, "declarations").
STEPS: tuple[Step, ...] = (
    Step("", _("What you ask for"), forms.RequestForm),
    Step("ban-than", _("About you"), forms.AboutForm),
    Step("dia-chi", _("Addresses"), forms.AddressForm),
    Step("lien-he", _("Contact and receiving the card"), forms.ContactForm),
    Step("lich-hen", _("Appointment")),
    Step("kiem-tra", _("Check your answers")),
    Step("xac-nhan", _("Confirmation code")),
)
STEP_BY_SLUG = {s.slug: s for s in STEPS}
FORM_STEPS = tuple(s for s in STEPS if s.form_class)


def step_index(slug: str) -> int:
    return next(i for i, s in enumerate(STEPS) if s.slug == slug)


def draft_get(*, key) -> Draft | None:
    """An identity-card draft still open (not expired, not yet submitted)."""
    return filings_selectors.draft_get(key=key, procedure_slug=IDENTITY_CARD)


def draft_submitted_declaration(*, key, within: timedelta = timedelta(hours=1)):
    """The declaration a draft became, when it was submitted in the last hour (a double tap, a reload)."""
    if not key:
        return None
    draft = (
        Draft.objects.select_related("filing")
        .filter(key=key, filing__isnull=False, updated_at__gte=timezone.now() - within)
        .first()
    )
    return draft.filing if draft else None


def draft_answers(*, draft: Draft | None, upto: str | None = None) -> tuple[dict, Step | None]:
    """Validate the stored steps in order; returns the cleaned answers so far and the first step not complete.

    Later steps' forms see earlier answers (the about-you step needs who the card is for).
    """
    answers: dict = {}
    data = draft.data if draft else {}
    for step in FORM_STEPS:
        if upto is not None and step.slug == upto:
            return answers, None
        raw = data.get(step.slug)
        if raw is None:
            return answers, step
        form = step.form_class(data=raw, answers=answers)
        if not form.is_valid():
            return answers, step
        answers.update(form.cleaned_data)
    return answers, None
