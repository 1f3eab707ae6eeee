"""Writes of the identity-card journey: its submission (the filings app does drafts, codes, states)."""

from django.urls import reverse

from apps.filings.models import Draft, Filing
from apps.filings.services import filing_submit
from apps.filings.tokens import receipt_token

# The identity card's answers as stored by this version of the step forms (Filing.form_version).
FORM_VERSION = 1


def declaration_submit(*, draft: Draft, answers: dict, language: str) -> Filing:
    """Submit a complete identity-card draft: one filing of `cap-cccd` with every step's answers, the held place
    booked under its code, the confirmation queued (see `filings.services.filing_submit`)."""
    return filing_submit(
        draft=draft,
        holder_name=answers["full_name"],
        phone=answers["phone"].as_e164,
        language=language,
        answers=answers,
        form_version=FORM_VERSION,
        birth_date=answers["birth_date"],
        id_number=answers["id_number"],
        email=answers.get("email") or "",
        notify_channel=answers.get("channel") or "sms",
        done_url=lambda filing: reverse("declarations:done", args=[receipt_token(filing.code)]),
    )
