"""Writes of filings: creating one with its code, moving it along `transitions.TRANSITIONS`, telling the citizen,
and the procedure-agnostic steps of every journey (draft, held place, confirmation code, submission)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.appointments.models import AppointmentStatus
from apps.appointments.services import appointment_book, appointment_cancel, appointment_hold
from apps.core.codes import code_format, code_generate
from apps.notifications.models import Kind
from apps.notifications.services import notification_send, otp_issue, otp_verify
from apps.procedures.models import Procedure

from .models import Draft, Filing, FilingEvent, FilingState, FilingVersion
from .transitions import CITIZEN, OFFICER, move_find

CODE_LENGTH = 8  # + 1 check character; about 40 random bits
CODE_ATTEMPTS = 10
# As long as the retention schedule keeps drafts (apps.privacy's purge deletes them after that).
DRAFT_LIFETIME = timedelta(days=settings.PRIVACY_RETENTION_DAYS["drafts"])

MSG_INVALID_MOVE = _("This filing cannot go from “%(source)s” to “%(target)s”.")
MSG_REASON_REQUIRED = _("Give the reason: the citizen will read it.")
MSG_NOT_ALLOWED = _("You may not make this change.")
MSG_ALREADY_SUBMITTED = _("This filing has already been submitted.")
MSG_PROCEDURE_CLOSED = _("This procedure cannot be filed online at the moment. Please try again later.")
MSG_NO_HOLD = _("Choose a time for your visit first.")
MSG_NOT_VERIFIED = _("Confirm your phone number with the code we sent first.")
MSG_CANNOT_CHANGE = _("This booking can no longer be moved or cancelled online. Please call the police unit.")
MSG_QR_INVALID = _("This QR code was not issued by the portal, or it was altered.")
MSG_QR_UNKNOWN = _("No filing has this code.")
MSG_DRAFT_CONFLICT = _(
    "Your answers were changed in another tab or window after this page was opened, so what you sent from this "
    "page was not saved over them. The latest answers are shown: check them, then continue."
)
OTP_PURPOSE = "filing_submit"


# --- Creating a filing ------------------------------------------------------------------------------------------
def filing_assign_code(*, filing: Filing, attempts: int = CODE_ATTEMPTS) -> None:
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
            if Filing.objects.filter(code=filing.code).exists():
                continue
            raise
    raise RuntimeError("could not find a free filing code")


def answers_to_json(answers: dict) -> dict:
    """A form's cleaned data as JSON: dates as ISO text, phone numbers as E.164."""
    out = {}
    for key, value in answers.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif hasattr(value, "as_e164"):
            out[key] = value.as_e164
        elif hasattr(value, "pk"):
            out[key] = value.pk
        else:
            out[key] = value
    return out


def filing_create(
    *,
    procedure: Procedure,
    holder_name: str,
    phone: str,
    language: str,
    answers: dict,
    form_version: int = 1,
    birth_date=None,
    id_number: str = "",
    email: str = "",
    notify_channel: str = "sms",
    notice_version: int | None = None,
    sensitive_consent: bool | None = None,
    appointment=None,
    now=None,
) -> Filing:
    """A submitted filing with its code and the first event of its timeline. Call inside the submit transaction."""
    filing = Filing(
        procedure=procedure,
        holder_name=holder_name,
        birth_date=birth_date,
        id_number=id_number or "",
        phone=phone,
        email=email or "",
        language=language,
        notify_channel=notify_channel or "sms",
        answers=answers_to_json(answers),
        form_version=form_version,
        notice_version=notice_version,
        sensitive_consent=sensitive_consent,
        appointment=appointment,
        state=FilingState.SUBMITTED,
        submitted_at=now or timezone.now(),
        code="-",
    )
    filing.full_clean(exclude=["code", "appointment"])
    filing_assign_code(filing=filing)
    FilingEvent.objects.create(filing=filing, at=filing.submitted_at, source="", state=FilingState.SUBMITTED)
    return filing


# --- Moving a filing --------------------------------------------------------------------------------------------
def filing_transition(
    *,
    filing: Filing,
    target: str,
    actor: str = OFFICER,
    user=None,
    reason: str = "",
    notify: bool = True,
    check_permission: bool = True,
) -> FilingEvent:
    """Move `filing` to `target` if `transitions.TRANSITIONS` lets `actor` do it from where the filing stands.

    The row is locked while it changes, so two officers acting at once cannot both move it from the same state.
    Officers need the permission to change filings (which records they may see is the back office's business,
    checked before calling). The move is a `FilingEvent` (the citizen's timeline); when the table says so and
    `notify` is true, the citizen gets a message at the confirmed phone, in their language, after commit.
    `check_permission=False`: a move that follows from another action the officer may make (cancelling the
    booking a filing stands on); an officer is still needed.
    """
    reason = (reason or "").strip()
    if actor == OFFICER and (user is None or (check_permission and not user.has_perm("filings.change_filing"))):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    with transaction.atomic():
        locked = Filing.objects.select_for_update().select_related("procedure").get(pk=filing.pk)
        source = locked.state
        move = move_find(source=source, target=target, actor=actor)
        if move is None:
            raise ValidationError(
                MSG_INVALID_MOVE,
                code="invalid_transition",
                params={"source": _label(source), "target": _label(target)},
            )
        if move.reason_required and not reason:
            raise ValidationError({"reason": ValidationError(MSG_REASON_REQUIRED, code="reason_required")})
        locked.state = target
        locked.save(update_fields=["state", "updated_at"])
        if target == FilingState.CANCELLED:
            _free_the_place(filing=locked, reason=reason, actor=actor)
        authenticated = user is not None and user.is_authenticated
        event = FilingEvent(
            filing=locked,
            source=source,
            state=target,
            reason=reason,
            user=user if authenticated else None,
            username=user.get_username() if authenticated else "",
        )
        event.full_clean()
        event.save()
        if move.notify and notify:
            filing_notify_state(filing=locked, reason=reason)
    filing.state = locked.state
    filing.updated_at = locked.updated_at
    return event


def _label(state: str) -> str:
    return str(dict(FilingState.choices).get(state, state))


def filing_notify_state(
    *, filing: Filing, reason: str = "", status: str | None = None, url: str | None = None, email: bool = False
) -> None:
    """Tell the citizen where their filing now stands (and why), at the phone confirmed on submission. `status`
    (already in the citizen's language) and `url` default to the state's label and the lookup; `email` copies the
    message to the filing's e-mail address too."""
    from .selectors import filing_state_label

    language = filing.language or settings.LANGUAGE_CODE
    with translation.override(language):
        status = status or str(filing_state_label(filing=filing))
        url = url or settings.SITE_URL + _lookup_path()
    notification_send(
        kind=Kind.FILING_STATUS_CHANGED,
        language=language,
        context={
            "name": filing.holder_name,
            "reference": code_format(filing.code),
            "status": status,
            "note": reason,
            "url": url,
        },
        phone=str(filing.phone),
        email=(filing.email or None) if email else None,
        subject=filing,
    )


def _lookup_path() -> str:
    from django.urls import reverse

    return reverse("filings:lookup")


def filing_can_change(*, filing: Filing, now=None) -> bool:
    """Whether the citizen may still move or cancel the visit online."""
    from apps.appointments.models import AppointmentStatus

    from .transitions import CHANGEABLE

    appointment = filing.appointment
    return (
        filing.state in CHANGEABLE
        and appointment is not None
        and appointment.status == AppointmentStatus.BOOKED
        and appointment.starts_at > (now or timezone.now())
    )


# What a correction may change besides the answers (never the code, the phone, the appointment or the state).
CORRECTABLE_COLUMNS = ("birth_date", "id_number", "email", "notify_channel", "notice_version", "sensitive_consent")


def filing_correct(
    *, filing: Filing, holder_name: str, answers: dict, form_version: int = 1, columns: dict | None = None
) -> FilingEvent:
    """The citizen corrects the answers of a filing returned for correction and sends it again (returned ->
    submitted, a `FilingEvent`). The answers replaced are kept as a `FilingVersion`, so the officer sees what
    changed; the filing keeps its code, appointment and the phone confirmed on submission. `columns` are other
    columns the answers give (the identity card's date of birth, card number, e-mail)."""
    columns = {k: v for k, v in (columns or {}).items() if k in CORRECTABLE_COLUMNS}
    with transaction.atomic():
        locked = Filing.objects.select_for_update().get(pk=filing.pk)
        if move_find(source=locked.state, target=FilingState.SUBMITTED, actor=CITIZEN) is None:
            raise ValidationError(
                MSG_INVALID_MOVE,
                code="invalid_transition",
                params={"source": _label(locked.state), "target": _label(FilingState.SUBMITTED)},
            )
        previous = FilingVersion(
            filing=locked,
            number=locked.versions.count() + 1,
            holder_name=locked.holder_name,
            answers=locked.answers,
            form_version=locked.form_version,
        )
        locked.holder_name = holder_name
        locked.answers = answers_to_json(answers)
        locked.form_version = form_version
        locked.corrected_at = timezone.now()  # waits for an officer's new check (the queue's flag, the dashboard)
        for name, value in columns.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["code", "appointment"])
        locked.save(update_fields=["holder_name", "answers", "form_version", "corrected_at", *columns, "updated_at"])
        event = filing_transition(filing=locked, target=FilingState.SUBMITTED, actor=CITIZEN)
        previous.event = event
        previous.full_clean()
        previous.save()
    filing.refresh_from_db()
    return event


def _free_the_place(*, filing: Filing, reason: str, actor: str) -> None:
    """A cancelled filing gives its place back. The citizen who cancelled gets the appointment's message; an
    officer's cancellation is told by the filing's own message (with the reason), not twice."""
    appointment = filing.appointment
    if appointment is None or appointment.status not in (AppointmentStatus.HELD, AppointmentStatus.BOOKED):
        return
    notify = filing_change_notifier(filing=filing, language=filing.language) if actor == CITIZEN else None
    appointment_cancel(appointment=appointment, reason=reason, notify=notify)


def filing_cancel(*, filing: Filing, reason: str = "") -> Filing:
    """The citizen cancels online: the filing and its visit, together (until the visit has begun)."""
    if filing.appointment_id and not filing_can_change(filing=filing):
        raise ValidationError(MSG_CANNOT_CHANGE, code="cannot_change")
    filing_transition(filing=filing, target=FilingState.CANCELLED, actor=CITIZEN, reason=reason)
    return filing


def filing_change_notifier(*, filing: Filing, language: str):
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
        kind = Kind.APPOINTMENT_CANCELLED if event == "cancelled" else Kind.APPOINTMENT_MOVED
        notification_send(kind=kind, language=language, context=context, phone=str(filing.phone), subject=filing)

    return notify


MSG_LOOKUP_LOCKED = _(
    "This code was entered with a wrong phone number or date of birth too many times. For your safety, looking it "
    "up is locked for %(minutes)s minutes. If you need help now, call the police unit."
)


def filing_lookup(*, code: str, phone=None, birth_date=None) -> Filing | None:
    """The lookup's second factor, counted per code whatever the address (LOOKUP_CODE_MAX_FAILURES wrong answers
    lock the code's lookup for LOOKUP_CODE_LOCK_MINUTES, the right answer included). Returns the filing or None;
    raises ValidationError("locked")."""
    from apps.core.codes import code_normalize
    from apps.core.ratelimit import lockout_fail, lockout_is_locked

    from .selectors import filing_find

    key = f"lookup-code:{code_normalize(code)}"
    minutes = settings.LOOKUP_CODE_LOCK_MINUTES
    if lockout_is_locked(key=key, limit=settings.LOOKUP_CODE_MAX_FAILURES):
        raise ValidationError(MSG_LOOKUP_LOCKED, code="locked", params={"minutes": minutes})
    filing = filing_find(code=code, phone=phone, birth_date=birth_date)
    if filing is None:
        lockout_fail(key=key, window=minutes * 60)
    return filing


def filing_qr_verify(token: str) -> Filing:
    """For the counter's check-in: the filing a scanned QR code stands for (any procedure).

    Raises ValidationError when the token is forged or altered (bad signature) or names no filing.
    """
    from django.core import signing

    from .tokens import qr_token_code

    try:
        code = qr_token_code(token or "")
    except signing.BadSignature:
        raise ValidationError(MSG_QR_INVALID, code="qr_invalid") from None
    filing = (
        Filing.objects.select_related("procedure", "appointment__unit", "appointment__slot").filter(code=code).first()
    )
    if filing is None:
        raise ValidationError(MSG_QR_UNKNOWN, code="qr_unknown")
    return filing


# --- Drafts: every procedure's journey before submission ----------------------------------------------------------
def draft_create(*, procedure_slug: str) -> Draft:
    draft = Draft(procedure_slug=procedure_slug, expires_at=timezone.now() + DRAFT_LIFETIME)
    draft.full_clean()
    draft.save()
    return draft


class DraftConflict(ValidationError):
    """The page was posted from an older copy of the draft (another tab changed it since): nothing was saved."""

    def __init__(self, message=MSG_DRAFT_CONFLICT):
        super().__init__(message, code="draft_conflict")


def _draft_check_version(*, draft: Draft, version: int | None) -> None:
    if version is not None and version != draft.version:
        raise DraftConflict


def draft_save_step(*, draft: Draft, step: str, data: dict, version: int | None = None, invalid: bool = False) -> Draft:
    """Keep what was typed on a step exactly as posted (valid or not); each save extends the 7 days.

    `version`: the draft's version the page was rendered with (its hidden field). A page from an older copy (the
    draft changed in another tab since), or a change made meanwhile by a concurrent request, raises
    DraftConflict and saves nothing: one tab never silently overwrites another's answers (issue 12.11). The
    update is conditional on the version read (compare-and-swap), so two requests racing cannot both save.
    `invalid`: the step was posted with errors, shown after the redirect (issue 12.9).
    """
    _draft_check_version(draft=draft, version=version)
    now = timezone.now()
    values = {
        "data": {**draft.data, step: data},
        "expires_at": now + DRAFT_LIFETIME,
        "invalid_step": step if invalid else "",
        "updated_at": now,
    }
    saved = Draft.objects.filter(pk=draft.pk, version=draft.version).update(version=F("version") + 1, **values)
    if not saved:
        raise DraftConflict
    for name, value in values.items():
        setattr(draft, name, value)
    draft.version += 1
    return draft


def draft_rekey(*, draft: Draft) -> Draft:
    """The resume link was opened by another browser that passed the check (`draft_resume_by_*`): the draft moves
    to it under a new key, so the browser and the link that had the old key can no longer open it (issue 12.5)."""
    draft.key = uuid.uuid4()
    draft.save(update_fields=["key", "updated_at"])
    return draft


# --- The resume link opened in another browser (issue 12.5) -----------------------------------------------------
RESUME_OTP_PURPOSE = "draft_resume"
MSG_RESUME_LOCKED = _(
    "For your safety, this saved form can no longer be opened on another phone or computer: the check was "
    "answered wrongly too many times. Continue it on the phone or computer where you started it, or fill it in "
    "again."
)
MSG_RESUME_WRONG_BIRTH_DATE = _("This is not the date of birth given in the saved form. Check it and try again.")
MSG_RESUME_NO_CODE = _("Ask for a code first: press “Send me a code”.")


def _resume_lock_key(draft: Draft) -> str:
    return f"draft-resume:{draft.id}"


def draft_resume_locked(*, draft: Draft) -> bool:
    from apps.core.ratelimit import lockout_is_locked

    return lockout_is_locked(key=_resume_lock_key(draft), limit=settings.FILINGS_RESUME_MAX_FAILURES)


def _resume_check_lock(draft: Draft) -> None:
    if draft_resume_locked(draft=draft):
        raise ValidationError(MSG_RESUME_LOCKED, code="locked")


def _resume_fail(draft: Draft) -> None:
    from apps.core.ratelimit import lockout_fail

    # Counted per draft whatever the address, for as long as the draft can live: a few guesses in all.
    lockout_fail(key=_resume_lock_key(draft), window=int(DRAFT_LIFETIME.total_seconds()))


def _resume_grant(draft: Draft) -> Draft:
    from apps.core.ratelimit import lockout_clear

    lockout_clear(key=_resume_lock_key(draft))
    return draft_rekey(draft=draft)


def draft_resume_send_code(*, draft: Draft, phone: str, language: str, client: str):
    """A code to the mobile number the draft holds (E.164), to open it in another browser (otp_issue's ceilings)."""
    _resume_check_lock(draft)
    return otp_issue(phone=phone, purpose=RESUME_OTP_PURPOSE, language=language, client=client)


def draft_resume_by_code(*, draft: Draft, phone: str, challenge, code: str) -> Draft:
    """The right code sent to the draft's own number (`phone`, E.164) moves the draft to this browser under a new
    key, and confirms that number for the submission (no second code). A wrong code counts against the draft."""
    _resume_check_lock(draft)
    if challenge is None or challenge.purpose != RESUME_OTP_PURPOSE or challenge.phone != phone:
        raise ValidationError(MSG_RESUME_NO_CODE, code="no_code")
    try:
        otp_verify(challenge=challenge, code=code)
    except ValidationError as error:
        if error.code != "format":
            _resume_fail(draft)
        raise
    draft.verified_phone = phone
    draft.save(update_fields=["verified_phone", "updated_at"])
    return _resume_grant(draft)


def draft_resume_by_birth_date(*, draft: Draft, birth_date, expected) -> Draft:
    """For a draft with a date of birth but no mobile number yet: the right date moves it to this browser."""
    _resume_check_lock(draft)
    if expected is None or birth_date != expected:
        _resume_fail(draft)
        raise ValidationError(MSG_RESUME_WRONG_BIRTH_DATE, code="wrong")
    return _resume_grant(draft)


class HoldConflict(DraftConflict):
    """The slot picker was posted from an older page (another tab changed the draft or chose a time since):
    nothing was held or released; `current` is the draft's hold as it now stands (None: no time chosen)."""

    def __init__(self, *, current=None):
        super().__init__(MSG_HOLD_CONFLICT)
        self.current = current


MSG_HOLD_CONFLICT = _(
    "Your form was changed in another tab or window after this page was opened, so the time you picked here was "
    "not kept. Nothing is lost: your answers and any time already chosen are kept, as shown on this page. To "
    "change the time, choose again."
)


def draft_hold(*, draft: Draft, procedure: Procedure, unit, starts_at, phone: str, id_number: str = "", version=None):
    """Hold a place for this draft (a new hold by the same draft releases its previous one).

    `version`: as for draft_save_step, a page from an older copy of the draft raises HoldConflict (a
    DraftConflict) and holds nothing. The hold replaces only the hold this request read on the draft
    (`appointment_hold(replacing=...)`, under a lock on the draft's holder key): of two tabs posting the picker
    at the same moment from the same page, one holds and the other is told, so a newer choice is never replaced
    silently and the draft never points at a released place while another is kept (issue 12.11). A double tap
    (the same time posted twice from one page) is not a conflict: the second request returns the hold the first
    made."""
    from apps.appointments.models import Appointment

    def current_or_conflict():
        current = (
            Appointment.objects.select_related("slot", "unit")
            .filter(holder_key=f"draft:{draft.id}", procedure=procedure, status=AppointmentStatus.HELD)
            .order_by("-pk")
            .first()
        )
        if current is not None and current.unit_id == unit.pk and current.slot.starts_at == starts_at:
            return current  # what this page asked for is what the draft holds
        raise HoldConflict(current=current)

    if version is not None and version != draft.version:
        return current_or_conflict()
    try:
        appointment = appointment_hold(
            unit=unit,
            procedure=procedure,
            starts_at=starts_at,
            phone=phone,
            id_number=id_number,
            holder_key=f"draft:{draft.id}",
            replacing=draft.hold_id,
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "hold_changed":
            return current_or_conflict()
        raise
    draft.hold = appointment
    Draft.objects.filter(pk=draft.pk).update(hold=appointment, version=F("version") + 1, updated_at=timezone.now())
    draft.version += 1
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


def draft_confirm_from_earlier(*, draft: Draft, phone: str, challenge_id) -> bool:
    """Families (issue 12.13): a number confirmed in this browser a short while ago (`challenge_id`, kept in the
    session) confirms this draft too: no second code. Another number still needs its own."""
    from apps.notifications.models import OtpChallenge

    since = timezone.now() - timedelta(minutes=settings.FILINGS_FAMILY_CONFIRMATION_MINUTES)
    if (
        not challenge_id
        or not OtpChallenge.objects.filter(pk=challenge_id, phone=phone, verified_at__gte=since).exists()
    ):
        return False
    draft.verified_phone = phone
    draft.save(update_fields=["verified_phone", "updated_at"])
    return True


def filing_submit(
    *,
    draft: Draft,
    holder_name: str,
    phone: str,
    language: str,
    answers: dict,
    form_version: int = 1,
    birth_date=None,
    id_number: str = "",
    email: str = "",
    notify_channel: str = "sms",
    notice_version: int | None = None,
    sensitive_consent: bool | None = None,
    done_url,
) -> Filing:
    """One transaction: store the filing, book the held place under its code, queue the confirmation.

    `phone` is E.164 and must be the number confirmed with the code. `done_url(filing)` gives the done page's
    address sent in the message. If the hold lapsed and the place was taken meanwhile, appointment_book raises
    SlotUnavailable (with the nearest alternatives): everything is undone, and the draft, its answers and the
    verified phone stay, so the citizen picks another time and submits again without retyping anything.
    """
    if draft.filing_id:
        raise ValidationError(MSG_ALREADY_SUBMITTED, code="already_submitted")
    if draft.hold_id is None:
        raise ValidationError(MSG_NO_HOLD, code="no_hold")
    if not draft.verified_phone or draft.verified_phone != phone:
        raise ValidationError(MSG_NOT_VERIFIED, code="not_verified")
    procedure = Procedure.objects.filter(slug=draft.procedure_slug, is_active=True).first()
    if procedure is None:
        raise ValidationError(MSG_PROCEDURE_CLOSED, code="procedure_closed")
    with transaction.atomic():
        filing = filing_create(
            procedure=procedure,
            holder_name=holder_name,
            phone=phone,
            language=language,
            answers=answers,
            form_version=form_version,
            birth_date=birth_date,
            id_number=id_number,
            email=email,
            notify_channel=notify_channel,
            notice_version=notice_version,
            sensitive_consent=sensitive_consent,
        )
        appointment = appointment_book(
            appointment=draft.hold,
            reference=filing.code,
            holder_name=holder_name,
            id_number=id_number or None,
            phone=phone,  # the confirmed number, whatever number the time was held with
        )
        filing.appointment = appointment
        filing.save(update_fields=["appointment"])
        draft.filing = filing
        draft.save(update_fields=["filing", "updated_at"])
        _send_confirmation(filing=filing, appointment=appointment, url=settings.SITE_URL + done_url(filing))
    return filing


def filing_book_at_counter(
    *,
    procedure: Procedure,
    unit,
    starts_at,
    holder_name: str,
    phone: str,
    id_number: str = "",
    language: str = "vi",
    holder_key: str,
) -> Filing:
    """A walk-in or a phone call: an officer files for the citizen and books a time, through the services the
    citizen's journey uses (hold, then one transaction that creates the filing and books the place under its
    code, capacity checked under the slot lock). The answers are taken down at the counter; the citizen gets the
    usual confirmation at `phone`. Raises SlotUnavailable (with alternatives) or ValidationError."""
    from apps.appointments.services import phone_normalize

    phone = phone_normalize(phone=phone)
    hold = appointment_hold(
        unit=unit,
        procedure=procedure,
        starts_at=starts_at,
        phone=phone,
        id_number=id_number,
        holder_key=holder_key,
        language=language,
        client="",
        by_officer=True,
    )
    with transaction.atomic():
        filing = filing_create(
            procedure=procedure,
            holder_name=holder_name,
            phone=phone,
            language=language,
            answers={},
            id_number=id_number,
        )
        appointment = appointment_book(
            appointment=hold, reference=filing.code, holder_name=holder_name, id_number=id_number or None, phone=phone
        )
        filing.appointment = appointment
        filing.save(update_fields=["appointment"])
        _send_confirmation(filing=filing, appointment=appointment, url=settings.SITE_URL + _lookup_path())
    return filing


def _send_confirmation(*, filing: Filing, appointment, url: str) -> None:
    language = filing.language
    with translation.override(language):
        local = timezone.localtime(appointment.starts_at)
        identity_card = filing.procedure.slug == Procedure.IDENTITY_CARD
        notification_send(
            kind=Kind.FILING_CONFIRMED if identity_card else Kind.PROCEDURE_BOOKED,
            language=language,
            context={
                "name": filing.holder_name,
                "procedure": filing.procedure.display_name,
                # One code per message: the filing's code (the visit is booked under the same code).
                "reference": code_format(filing.code),
                "unit": appointment.unit.display_name,
                "address": appointment.unit.display_address,
                "date": f"{local:%d/%m/%Y}",
                "time": f"{local:%H:%M}",
                "url": url,
            },
            phone=str(filing.phone),
            email=filing.email or None,
            subject=filing,
        )
