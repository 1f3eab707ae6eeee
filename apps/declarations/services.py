"""Writes of the declarations app: drafts, submission, declaration codes, cancellation."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.appointments.services import appointment_book, appointment_cancel, appointment_hold
from apps.core.codes import code_format, code_generate
from apps.filings.tokens import receipt_token
from apps.notifications.services import notification_send, otp_issue, otp_verify
from apps.procedures.models import Procedure

from .models import Declaration, Draft, FilingStatus

# As long as the retention schedule keeps drafts (apps.privacy's purge deletes them after that).
DRAFT_LIFETIME = timedelta(days=settings.PRIVACY_RETENTION_DAYS["drafts"])
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


def declaration_create(*, draft: Draft, answers: dict, language: str, appointment=None) -> Declaration:
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
        appointment=appointment,
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


MSG_LOOKUP_LOCKED = _(
    "This code was entered with a wrong phone number or date of birth too many times. For your safety, looking it "
    "up is locked for %(minutes)s minutes. If you need help now, call the police unit."
)


def declaration_lookup(*, code: str, phone=None, birth_date=None):
    """The lookup's second factor, counted per code whatever the address (LOOKUP_CODE_MAX_FAILURES wrong answers
    lock the code's lookup for LOOKUP_CODE_LOCK_MINUTES, the right answer included). Returns the declaration or
    None; raises ValidationError("locked")."""
    from apps.core.codes import code_normalize
    from apps.core.ratelimit import lockout_fail, lockout_is_locked

    from .selectors import declaration_find

    key = f"lookup-code:{code_normalize(code)}"
    minutes = settings.LOOKUP_CODE_LOCK_MINUTES
    if lockout_is_locked(key=key, limit=settings.LOOKUP_CODE_MAX_FAILURES):
        raise ValidationError(MSG_LOOKUP_LOCKED, code="locked", params={"minutes": minutes})
    declaration = declaration_find(code=code, phone=phone, birth_date=birth_date)
    if declaration is None:
        lockout_fail(key=key, window=minutes * 60)
    return declaration


def declaration_cancel(*, declaration: Declaration, reason: str = "", notify=None) -> Declaration:
    """Cancel the declaration's booking (which frees the place) and mark the declaration cancelled, together."""
    if declaration.status == FilingStatus.CANCELLED:
        raise ValidationError(MSG_ALREADY_CANCELLED, code="already_cancelled")
    with transaction.atomic():
        if declaration.appointment_id:
            appointment_cancel(appointment=declaration.appointment, reason=reason, notify=notify)
        declaration.status = FilingStatus.CANCELLED
        declaration.cancelled_at = timezone.now()
        declaration.save(update_fields=["status", "cancelled_at"])
    return declaration


# --- The procedure-agnostic steps: appointment hold, confirmation code, submission -----------------------------
OTP_PURPOSE = "filing_submit"
MSG_NO_HOLD = _("Choose a time for your visit first.")
MSG_NOT_VERIFIED = _("Confirm your phone number with the code we sent first.")


def draft_hold(*, draft: Draft, procedure: Procedure, unit, starts_at, phone: str, id_number: str = ""):
    """Hold a place for this draft (a new hold by the same draft releases its previous one)."""
    appointment = appointment_hold(
        unit=unit,
        procedure=procedure,
        starts_at=starts_at,
        phone=phone,
        id_number=id_number,
        holder_key=f"draft:{draft.id}",
    )
    draft.hold = appointment
    draft.save(update_fields=["hold", "updated_at"])
    return appointment


def draft_send_code(*, draft: Draft, phone: str, language: str, client: str):
    """Send a confirmation code to the phone of the draft (rate-limited by the notifications service)."""
    challenge = otp_issue(phone=phone, purpose=OTP_PURPOSE, language=language, client=client)
    draft.otp_challenge = challenge
    draft.save(update_fields=["otp_challenge", "updated_at"])
    return challenge


def draft_verify_code(*, draft: Draft, code: str) -> None:
    """Check the code typed (raises ValidationError: wrong with tries left, expired, locked)."""
    if draft.otp_challenge is None:
        raise ValidationError(MSG_NOT_VERIFIED, code="no_code")
    otp_verify(challenge=draft.otp_challenge, code=code)
    draft.verified_phone = draft.otp_challenge.phone
    draft.save(update_fields=["verified_phone", "updated_at"])


def declaration_submit(*, draft: Draft, answers: dict, language: str) -> Declaration:
    """One transaction: store the declaration, book the held place under its new code, queue the confirmation.

    If the hold lapsed and the place was taken meanwhile, appointment_book raises SlotUnavailable (with the
    nearest alternatives): the whole transaction is undone, and the draft, its answers and the verified phone
    stay, so the citizen picks another time and submits again without retyping anything.
    """
    if draft.hold_id is None:
        raise ValidationError(MSG_NO_HOLD, code="no_hold")
    phone = answers["phone"].as_e164
    if not draft.verified_phone or draft.verified_phone != phone:
        raise ValidationError(MSG_NOT_VERIFIED, code="not_verified")
    with transaction.atomic():
        declaration = declaration_create(draft=draft, answers=answers, language=language, appointment=draft.hold)
        appointment = appointment_book(
            appointment=draft.hold,
            reference=declaration.code,
            holder_name=declaration.holder_name,
            id_number=declaration.id_number,
            phone=draft.verified_phone,  # the confirmed number, whatever number the time was held with
        )
        declaration.appointment = appointment
        unit = appointment.unit
        local = timezone.localtime(appointment.starts_at)
        notification_send(
            kind="declaration_confirmed",
            language=language,
            context={
                "name": declaration.holder_name,
                "code": code_format(declaration.code),
                "unit": unit.name,
                "address": unit.address,
                "date": local.strftime("%d/%m/%Y"),
                "time": local.strftime("%H:%M"),
                "url": settings.SITE_URL + reverse("declarations:done", args=[receipt_token(declaration.code)]),
            },
            phone=phone,
            email=declaration.email or None,
            subject=declaration,
        )
    return declaration


MSG_QR_INVALID = _("This QR code was not issued by the portal, or it was altered.")
MSG_QR_UNKNOWN = _("No declaration has this code.")


def declaration_qr_verify(token: str) -> Declaration:
    """For the back office's check-in: the declaration a scanned QR code stands for.

    Raises ValidationError when the token is forged or altered (bad signature) or names no declaration. The
    caller decides what a cancelled declaration means at the counter (status is on the result).
    """
    from django.core import signing

    from apps.filings.tokens import qr_token_code

    try:
        code = qr_token_code(token or "")
    except signing.BadSignature:
        raise ValidationError(MSG_QR_INVALID, code="qr_invalid") from None
    declaration = (
        Declaration.objects.select_related("procedure", "appointment__unit", "appointment__slot")
        .filter(code=code)
        .first()
    )
    if declaration is None:
        raise ValidationError(MSG_QR_UNKNOWN, code="qr_unknown")
    return declaration


def filing_change_notifier(*, filing, language: str):
    """The `notify` callable for appointment_reschedule / appointment_cancel: tells the citizen after commit."""

    def notify(*, appointment, event: str, previous_starts_at) -> None:
        local = timezone.localtime(appointment.starts_at)
        context = {
            "name": filing.holder_name,
            "reference": code_format(filing.code),
            "unit": appointment.unit.name,
            "address": appointment.unit.address,
            "date": local.strftime("%d/%m/%Y"),
            "time": local.strftime("%H:%M"),
        }
        if event == "cancelled":
            context.pop("address")
            context["reason"] = appointment.cancel_reason
        kind = "appointment_cancelled" if event == "cancelled" else "appointment_moved"
        notification_send(kind=kind, language=language, context=context, phone=appointment.phone, subject=filing)

    return notify
