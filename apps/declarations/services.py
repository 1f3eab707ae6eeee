"""Writes of the declarations app: drafts, submission, declaration codes, cancellation."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_generate
from apps.procedures.models import Procedure

from .models import Declaration, Draft, FilingStatus

DRAFT_LIFETIME = timedelta(days=7)
CODE_LENGTH = 8  # + 1 check character; about 40 random bits
CODE_ATTEMPTS = 10

MSG_ALREADY_SUBMITTED = _("This declaration has already been submitted.")
MSG_PROCEDURE_CLOSED = _("Online declarations for the identity card are closed at the moment. Please try again later.")
MSG_ALREADY_CANCELLED = _("This booking is already cancelled.")


def draft_create(*, procedure_slug: str = Procedure.IDENTITY_CARD) -> Draft:
    draft = Draft(procedure_slug=procedure_slug, expires_at=timezone.now() + DRAFT_LIFETIME)
    draft.full_clean()
    draft.save()
    return draft


def draft_save_step(*, draft: Draft, step: str, data: dict) -> Draft:
    """Keep what was typed on a step exactly as posted (valid or not); each save extends the 7 days."""
    draft.data = {**draft.data, step: data}
    draft.expires_at = timezone.now() + DRAFT_LIFETIME
    draft.save(update_fields=["data", "expires_at", "updated_at"])
    return draft


def draft_delete_expired() -> int:
    deleted, _ = Draft.objects.filter(expires_at__lt=timezone.now(), declaration__isnull=True).delete()
    return deleted


def filing_assign_code(*, filing, attempts: int = CODE_ATTEMPTS) -> None:
    """Save a new filing with a fresh random code; on the (rare) collision, draw again.

    Each attempt runs in a savepoint so a collision does not break the caller's transaction; the unique
    constraint on `code` is what decides (as pretix's Order.assign_code does).
    """
    for _attempt in range(attempts):
        filing.code = code_generate(length=CODE_LENGTH)
        try:
            with transaction.atomic():
                filing.save()
            return
        except IntegrityError:
            if type(filing).objects.filter(code=filing.code).exists():
                continue
            raise
    raise RuntimeError("could not find a free declaration code")


def declaration_create(*, draft: Draft, answers: dict, language: str) -> Declaration:
    """Store the declaration from a complete draft and give it its code. Call inside the submit transaction."""
    if draft.declaration_id:
        raise ValidationError(MSG_ALREADY_SUBMITTED, code="already_submitted")
    procedure = Procedure.objects.filter(slug=draft.procedure_slug, is_active=True).first()
    if procedure is None:
        raise ValidationError(MSG_PROCEDURE_CLOSED, code="procedure_closed")
    declaration = Declaration(
        procedure=procedure,
        holder_name=answers["full_name"],
        birth_date=answers["birth_date"],
        phone=answers["phone"],
        email=answers.get("email") or "",
        language=language,
        request_type=answers["request_type"],
        reason=answers["reason"],
        sex=answers["sex"],
        id_number=answers["id_number"],
        notify_channel=answers.get("channel") or "sms",
        answers=answers_to_json(answers),
        code="-",
    )
    declaration.full_clean(exclude=["code"])
    filing_assign_code(filing=declaration)
    draft.declaration = declaration
    draft.save(update_fields=["declaration", "updated_at"])
    return declaration


def answers_to_json(answers: dict) -> dict:
    out = {}
    for key, value in answers.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif hasattr(value, "as_e164"):
            out[key] = value.as_e164
        else:
            out[key] = value
    return out


def declaration_cancel(*, declaration: Declaration) -> Declaration:
    if declaration.status == FilingStatus.CANCELLED:
        raise ValidationError(MSG_ALREADY_CANCELLED, code="already_cancelled")
    declaration.status = FilingStatus.CANCELLED
    declaration.cancelled_at = timezone.now()
    declaration.save(update_fields=["status", "cancelled_at"])
    return declaration


MSG_QR_INVALID = _("This QR code was not issued by the portal, or it was altered.")
MSG_QR_UNKNOWN = _("No declaration has this code.")


def declaration_qr_verify(token: str) -> Declaration:
    """For the back office's check-in: the declaration a scanned QR code stands for.

    Raises ValidationError when the token is forged or altered (bad signature) or names no declaration. The
    caller decides what a cancelled declaration means at the counter (status is on the result).
    """
    from django.core import signing

    from .tokens import qr_token_code

    try:
        code = qr_token_code(token or "")
    except signing.BadSignature:
        raise ValidationError(MSG_QR_INVALID, code="qr_invalid") from None
    declaration = Declaration.objects.select_related("procedure").filter(code=code).first()
    if declaration is None:
        raise ValidationError(MSG_QR_UNKNOWN, code="qr_unknown")
    return declaration
