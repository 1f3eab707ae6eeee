"""Writes of the identity-card journey: its submission (the filings app does drafts, codes, states)."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.filings.models import Draft, Filing
from apps.filings.services import MSG_ALREADY_SUBMITTED, filing_create, filing_submit
from apps.filings.tokens import receipt_token
from apps.procedures.models import Procedure

# The identity card's answers as stored by this version of the step forms (Filing.form_version).
FORM_VERSION = 1


# The first step's consents are columns of the filing (the notice version, the sensitive-data consent), not answers.
CONSENT_ANSWERS = ("accept_notice", "accept_sensitive")


def _filing_fields(answers: dict) -> dict:
    """What the identity card's answers give every filing (the rest stays in `answers`)."""
    return {
        "holder_name": answers["full_name"],
        "phone": answers["phone"].as_e164,
        "answers": {name: value for name, value in answers.items() if name not in CONSENT_ANSWERS},
        "notice_version": answers.get("accept_notice"),
        "sensitive_consent": bool(answers.get("accept_sensitive")),
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
