"""Writes of the identity-card journey: its submission, and its correction after an officer returned it (the
filings app does drafts, codes, states)."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber

from apps.filings.models import Draft, Filing, FilingState
from apps.filings.services import MSG_ALREADY_SUBMITTED, draft_create, filing_correct, filing_create, filing_submit
from apps.filings.tokens import receipt_token
from apps.procedures.models import Procedure

from . import summary

# The identity card's answers as stored by this version of the step forms (Filing.form_version): 1 = the CC01-era
# questions (ethnic group, religion, birth registration, home town, family, occupation, education); 2 = DC02's
# fields only (since 1 July 2024), the representative on the about-you step. Version 1 answers stay as they were and
# are still printed and shown.
FORM_VERSION = 2


# The first step's consents are columns of the filing (Filing.notice_version), not answers.
CONSENT_ANSWERS = ("accept_notice", "accept_sensitive")


def _filing_fields(answers: dict) -> dict:
    """What the identity card's answers give every filing (the rest stays in `answers`)."""
    return {
        "holder_name": answers["full_name"],
        "phone": answers["phone"].as_e164,
        "answers": {name: value for name, value in answers.items() if name not in CONSENT_ANSWERS},
        "notice_version": answers.get("accept_notice"),
        # Not asked: the journey asks for no sensitive data since form version 2 (DC02's items only).
        "sensitive_consent": None,
        "form_version": FORM_VERSION,
        "birth_date": answers["birth_date"],
        "id_number": answers["id_number"],
        "email": answers.get("email") or "",
        "notify_channel": answers.get("channel") or "sms",
    }


def declaration_create(*, draft: Draft, answers: dict, language: str) -> Filing:
    """The filing of a complete draft without a visit (the online-only path of a child under 6, online.py)."""
    if draft.filing_id:
        raise ValidationError(MSG_ALREADY_SUBMITTED, code="already_submitted")
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    filing = filing_create(procedure=procedure, language=language, **_filing_fields(answers))
    draft.filing = filing
    draft.save(update_fields=["filing", "updated_at"])
    return filing


def declaration_submit(*, draft: Draft, answers: dict, language: str) -> Filing:
    """Submit a complete identity-card draft: one filing of `cap-cccd` with every step's answers, the held place
    booked under its code, the confirmation queued (see `filings.services.filing_submit`)."""
    return filing_submit(
        draft=draft,
        language=language,
        done_url=lambda filing: reverse("declarations:done", args=[receipt_token(filing.code)]),
        **_filing_fields(answers),
    )


# --- Correcting a filing returned for correction ------------------------------------------------------------------
MSG_NOT_RETURNED = _("This filing is not waiting for a correction.")
MSG_INCOMPLETE = _("Some answers are missing or need correcting: see “%(step)s”.")
# Where a correction draft keeps the lookup's signed token (not a step: the journey's validation skips it).
LOOKUP_KEY = "_lookup"


def declaration_correction_start(*, filing: Filing, draft: Draft | None = None, lookup: str = "") -> Draft:
    """The journey reopened on a returned identity-card filing: a draft prefilled with its stored answers (each
    step's form as the citizen typed it), its confirmed phone kept. A draft this browser already started for the
    same filing is kept as it is (nothing typed is lost). `lookup` is the lookup's signed token, which sending
    the correction checks again."""
    if filing.state != FilingState.RETURNED:
        raise ValidationError(MSG_NOT_RETURNED, code="not_returned")
    if draft is None or draft.corrects_id != filing.pk:
        draft = draft_create(procedure_slug=Procedure.IDENTITY_CARD)
        draft.corrects = filing
        draft.verified_phone = str(filing.phone)
        draft.data = summary.step_data_from_json(filing.answers)
        # The notice accepted is the filing's column, not an answer: prefilled as accepted (nothing to tick again).
        draft.data[""] = {**draft.data.get("", {}), "accept_notice": str(filing.notice_version or 1)}
    draft.data = {**draft.data, LOOKUP_KEY: lookup}
    draft.save(update_fields=["corrects", "verified_phone", "data", "updated_at"])
    return draft


def declaration_correct(*, draft: Draft, filing: Filing) -> Filing:
    """Send the corrected answers: the filing goes back to "submitted" with its code and appointment, the answers
    it had are kept for the officer's comparison (filings.services.filing_correct), the draft is done with."""
    from .selectors import draft_answers

    if draft.corrects_id != filing.pk:
        raise ValidationError(MSG_NOT_RETURNED, code="not_returned")
    answers, missing = draft_answers(draft=draft)
    if missing is not None:
        raise ValidationError(MSG_INCOMPLETE, code="incomplete", params={"step": missing.title})
    # The phone stays the one confirmed on submission, whatever the form says.
    answers["phone"] = PhoneNumber.from_string(str(filing.phone))
    fields = _filing_fields(answers)
    filing_correct(
        filing=filing,
        holder_name=fields["holder_name"],
        answers=fields["answers"],
        form_version=FORM_VERSION,
        columns={
            name: fields[name]
            for name in ("birth_date", "id_number", "email", "notify_channel", "notice_version", "sensitive_consent")
        },
    )
    draft.delete()
    return filing
