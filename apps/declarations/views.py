"""The identity-card journey (/thu-tuc/cap-cccd/), the done page and its files (the lookup is apps.filings').

Every step is one form on one page. A POST first keeps what was typed in the draft (valid or not), then
validates: "Back", "Show the wards" and errors never lose input. A GET with no draft renders the empty step
(no row is written until the citizen posts something).
"""

import functools
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.appointments.forms import NEAR_PARAM, PICKER_ANCHOR, SlotPickerForm
from apps.appointments.services import SlotUnavailable
from apps.core.forms.journey import CodeForm, form_errors_keep, form_errors_pop, form_show_errors
from apps.core.ratelimit import client_address
from apps.filings import outputs
from apps.filings import services as filings_services
from apps.filings.drafts import (
    ResumeFactors,
    draft_confirmation_remember,
    draft_confirmed_in_session,
    draft_cookie_set,
    draft_from_cookie,
    draft_key_from_cookie,
    draft_lost_redirect,
    draft_posted_version,
    draft_resume_respond,
    draft_save_posted,
)
from apps.filings.models import Filing, FilingState
from apps.filings.selectors import filing_from_token, filing_last_reason
from apps.filings.services import DraftConflict
from apps.filings.tokens import (
    lookup_token_code,
    qr_token,
    receipt_link_is_current,
    receipt_token,
    receipt_token_code,
)
from apps.procedures.models import Procedure
from apps.procedures.selectors import procedure_get_identity_card
from apps.units.models import PoliceUnit

from . import online, selectors, services, summary

DRAFT_COOKIE = "cccd_draft"
MSG_SLIP_TITLE = gettext_lazy("Identity card appointment")
MSG_EXPIRED = gettext_lazy("This saved declaration has expired or was already submitted. Please start again.")
MSG_CODE_SENT = gettext_lazy("We sent a 6-digit code to %(phone)s. It is valid for 5 minutes.")
MSG_SLOT_TAKEN = gettext_lazy(
    "Sorry, the time you held was taken while you were finishing. Your answers are kept: please choose another "
    "time below, then confirm again."
)
MSG_EARLIER_NOT_FOUND = gettext_lazy(
    "We could not find the answers of the earlier pages on this browser (cookies cleared or blocked, another "
    "phone, or more than 7 days). What you typed on this page is kept. If you saved the link to continue your "
    "declaration, open it; otherwise the missing pages will be asked again."
)
MSG_COMPLETE_FIRST = gettext_lazy("Some answers are missing or need correcting. Please complete this step.")
MSG_PHONE_KEPT = gettext_lazy(
    "The number confirmed when you submitted: it cannot be changed here. To change it, ask at the counter."
)
MSG_CORRECTED = gettext_lazy("Thank you: your corrected filing is sent again. The officers will check it.")
MSG_LOOK_UP_AGAIN = gettext_lazy(
    "For your safety, look up your filing again (code and phone or date of birth), then send the correction. "
    "Your corrected answers are kept."
)


_NAMED_STEPS = {"": "declarations:start", "lich-hen": "declarations:appointment", "kiem-tra": "declarations:check",
                "xac-nhan": "declarations:confirm"}  # fmt: skip


def _step_url(slug: str) -> str:
    if slug in _NAMED_STEPS:
        return reverse(_NAMED_STEPS[slug])
    return reverse("declarations:step", args=[slug])


def _draft_from_cookie(request):
    return draft_from_cookie(request, procedure_slug=Procedure.IDENTITY_CARD)


def _lost(request):
    """No open draft in this browser at a step that needs one (issue 12.10): the page that explains why."""
    return draft_lost_redirect(request, procedure_slug=Procedure.IDENTITY_CARD)


def _resume_url(request, draft) -> str:
    return request.build_absolute_uri(reverse("declarations:resume", args=[draft.key])) if draft else ""


def _already_submitted(request):
    """A double tap on "submit": the second request finds this browser's draft submitted (issue 12.11), and is
    shown the filing that went through instead of an error."""
    key = draft_key_from_cookie(request, procedure_slug=Procedure.IDENTITY_CARD)
    declaration = selectors.draft_submitted_declaration(key=key)
    if declaration is None:
        return None
    response = redirect("declarations:done", token=receipt_token(declaration.code))
    response.delete_cookie(DRAFT_COOKIE)
    return response


def _set_draft_cookie(response, draft) -> None:
    draft_cookie_set(response, draft=draft)


def _progress(slug: str) -> dict:
    index = selectors.step_index(slug)
    return {"number": index + 1, "total": len(selectors.STEPS), "title": selectors.STEPS[index].title}


@never_cache
@require_http_methods(["GET", "POST"])
def step_view(request, slug: str = ""):
    """Every POST ends in a redirect (issue 12.9), also with errors: what was typed and whether it had errors are
    kept in the draft, and the step's GET shows them, so back and reload never ask to send the form again."""
    step = selectors.STEP_BY_SLUG.get(slug)
    if step is None or step.form_class is None:
        raise Http404
    draft = _draft_from_cookie(request)
    answers, _missing = selectors.draft_answers(draft=draft, upto=slug)
    returning = request.GET.get("sua") == "1" or request.POST.get("return") == "check"
    correcting = draft is not None and draft.corrects_id is not None
    returning = returning or correcting
    here = _step_url(slug) + ("?sua=1" if returning else "")
    if request.method == "POST":
        return _step_post(request, step, draft, answers, returning=returning, here=here, correcting=correcting)
    raw = draft.data.get(slug) if draft else None
    form = step.form_class(data=raw, answers=answers) if raw is not None else step.form_class(answers=answers)
    form.show_errors = draft is not None and draft.invalid_step == slug
    if correcting and "phone" in form.fields:
        form.fields["phone"].widget.attrs["readonly"] = True
        form.fields["phone"].help_text = MSG_PHONE_KEPT
    context = {
        "form": form,
        "step": step,
        "progress": _progress(slug),
        "draft": draft,
        "returning": returning,
        # A correction draft holds a filing's answers: reopened only through the lookup, never by a link.
        "resume_url": _resume_url(request, draft) if not correcting else "",
        "guide_html": summary.guide_html() if not slug else "",
        "is_first": not slug,
    }
    return render(request, "declarations/step.html", context)


def _step_post(request, step, draft, answers, *, returning: bool, here: str, correcting: bool):
    slug = step.slug
    posted = request.POST
    if correcting and "phone" in step.form_class.base_fields:
        # A correction keeps the phone confirmed on submission, whatever is posted.
        posted = request.POST.copy()
        posted["phone"] = (draft.data.get(slug) or {}).get("phone", "")
    form = step.form_class(data=posted, answers=answers)
    raw = {name: posted.get(name, "") for name in form.fields if name in posted}
    lost = draft is None and bool(slug)  # a later step posted without this browser's draft (cookies lost)
    action = request.POST.get("action", "next")
    index = selectors.step_index(slug)
    moving = (action == "back" and index > 0) or action == "refresh"
    valid = moving or form.is_valid()
    try:
        draft, created = draft_save_posted(
            request, draft=draft, procedure_slug=Procedure.IDENTITY_CARD, step=slug, data=raw, invalid=not valid
        )
    except DraftConflict as error:
        messages.warning(request, error.messages[0])
        return redirect(here)
    if lost:
        # Cookies lost mid-journey (issue 12.10): this page's answers are kept in a new draft; the message says
        # where the earlier ones are (the resume link) and that the missing pages will be asked again.
        messages.warning(request, MSG_EARLIER_NOT_FOUND)
    if action == "back" and index > 0:
        response = redirect(_step_url(selectors.STEPS[index - 1].slug))
    elif action == "refresh":
        response = redirect(here + "#" + request.POST.get("anchor", "main"))
    elif valid:
        response = redirect(_step_url("kiem-tra" if returning else selectors.STEPS[index + 1].slug))
    else:
        response = redirect(here)
    if created:
        _set_draft_cookie(response, draft)
    return response


@never_cache
def check_view(request):
    draft = _draft_from_cookie(request)
    answers, missing = selectors.draft_answers(draft=draft)
    if draft is None:
        return _lost(request)
    if missing is not None:
        messages.warning(request, MSG_COMPLETE_FIRST)
        return redirect(_step_url(missing.slug))
    if draft.corrects_id is not None:
        return _render_correction_check(request, draft, answers)
    visit = online.visit_needed(answers)
    if draft.hold is None and visit:
        messages.warning(request, filings_services.MSG_NO_HOLD)
        return redirect("declarations:appointment")
    visit_day = timezone.localdate(draft.hold.starts_at) if visit else timezone.localdate()
    context = {
        "sections": summary.answer_sections(answers),
        "fee": summary.fee_for_answers(answers, on=visit_day),
        "postal_fee": summary.postal_fee(answers, on=visit_day),
        "hold": draft.hold if visit else None,
        "no_visit": not visit,
        "progress": _progress("kiem-tra"),
        "resume_url": _resume_url(request, draft),
        "next_url": reverse("declarations:confirm"),
    }
    return render(request, "declarations/check.html", context)


# --- Appointment and confirmation code: procedure-agnostic steps -------------------------------------------------
def _identity_procedure() -> Procedure:
    procedure = procedure_get_identity_card()
    if procedure is None:
        raise Http404
    return procedure


def _picker(request, procedure, data=None, *, query=None, draft=None) -> SlotPickerForm:
    units = PoliceUnit.objects.filter(receives_id_applications=True, is_active=True)
    return SlotPickerForm(
        data,
        procedure=procedure,
        unit_qs=units,
        query=request.GET if query is None else query,
        action=reverse("declarations:appointment"),
        # The draft's version goes back with the chosen time: a time picked on an older page is refused (12.11).
        hidden={"draft_version": str(draft.version)} if draft is not None else None,
    )


# The picker's first step (the list of units with their opening hours: no form, no CSRF token, no availability)
# is the same for every citizen: it is cached per language for a minute rather than rebuilt with its queries on
# every first view of the step. Later steps (days with free places, times) are always computed.
PICKER_UNITS_SECONDS = 60


def _picker_html(request, picker_factory) -> str:
    cacheable = request.method == "GET" and not request.GET
    key = f"declarations:picker-units:{get_language()}"
    if cacheable:
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # noqa: S308 (rendered by the template engine, stored as is)
    picker = picker_factory()
    html = render_to_string("appointments/_slot_picker.html", {"picker": picker}, request=request)
    if cacheable and picker.step == "unit":
        cache.set(key, str(html), PICKER_UNITS_SECONDS)
    return html


def _render_appointment(
    request, draft, picker, *, status: int = 200, no_visit: bool = False, with_representative: bool = False
):
    """`picker`: a SlotPickerForm, or a callable making one (then the unit list may come from the cache); None
    with `no_visit` (a child under 6: no appointment)."""
    picker_html = _picker_html(request, picker) if callable(picker) else None
    context = {
        "no_visit": no_visit,
        "with_representative": with_representative,
        "fee_notice": "" if no_visit else _fee_notice(request, draft),
        "picker": picker if picker_html is None else None,
        "picker_html": picker_html,
        "hold": draft.hold if draft else None,
        "progress": _progress("lich-hen"),
        "step": selectors.STEP_BY_SLUG["lich-hen"],
        "back_url": _step_url("lien-he"),
        "resume_url": _resume_url(request, draft),
        "draft": draft,
    }
    return render(request, "declarations/appointment.html", context, status=status)


def _fee_notice(request, draft) -> str:
    """When the citizen has picked a day (the picker's `day` link), warn if the fee that day differs from today's."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return ""
    if draft is None:
        return ""
    answers, _missing = selectors.draft_answers(draft=draft, upto="lich-hen")
    return summary.fee_change_notice(answers, day=day, today=timezone.localdate())


@never_cache
@require_http_methods(["GET", "POST"])
def appointment_view(request):
    """Step 6: the appointments app's slot picker, limited to units receiving identity-card applications.

    Picking a time holds the place for the rest of the journey (appointment_hold); submitting books it.
    """
    draft = _draft_from_cookie(request)
    if draft is not None and draft.corrects_id is not None:
        return redirect("declarations:check")  # a correction keeps its appointment (moved from the lookup)
    with_representative = False
    if draft is not None and draft.data.get("ban-than"):
        answers, _missing = selectors.draft_answers(draft=draft, upto="lich-hen")
        if not online.visit_needed(answers):
            # Under 6: nothing to book (2023 Identity Law); the step says so and leads on to the check page.
            if request.method == "POST":
                return redirect("declarations:check")
            return _render_appointment(request, draft, None, no_visit=True)
        with_representative = online.comes_with_representative(answers)
    if request.method == "POST":
        return _appointment_post(request, draft)
    return _render_appointment(
        request, draft, lambda: _picker_with_alternatives(request, draft), with_representative=with_representative
    )


def _picker_with_alternatives(request, draft) -> SlotPickerForm:
    picker = _picker(request, _identity_procedure(), draft=draft)
    picker.offer_alternatives_from_query()
    return picker


def _picker_return(unit: str, day: str, near=None) -> str:
    """The picker's address at the chosen unit and day (its times), where a refused POST leads back to; `near`:
    the time refused as taken, near which the free alternatives are offered."""
    pairs = (("unit", unit), ("day", day), (NEAR_PARAM, near.isoformat() if near else ""))
    query = urlencode({k: v for k, v in pairs if v})
    return reverse("declarations:appointment") + (f"?{query}" if query else "") + f"#{PICKER_ANCHOR}"


def _appointment_post(request, draft):
    """Holding the time picked. Every outcome is a redirect (issue 12.9): a refusal goes back to the same unit and
    day with the reason (the day's remaining times are the alternatives)."""
    answers, missing = selectors.draft_answers(draft=draft, upto="lich-hen")
    if draft is None:
        return _lost(request)
    if missing is not None:
        messages.warning(request, MSG_COMPLETE_FIRST)
        return redirect(_step_url(missing.slug))
    picker = _picker(request, _identity_procedure(), request.POST)
    back = _picker_return(request.POST.get("unit", ""), request.POST.get("day", ""))
    if not picker.is_valid():
        for error in picker.errors.values():
            messages.error(request, error[0])
        return redirect(back)
    try:
        filings_services.draft_hold(
            draft=draft,
            procedure=picker.procedure,
            unit=picker.cleaned_data["unit"],
            starts_at=picker.cleaned_data["starts_at"],
            phone=answers["phone"].as_e164,
            id_number=answers["id_number"],
            version=draft_posted_version(request),
        )
    except DraftConflict as error:
        # Another tab changed the draft or chose a time since this page was opened: nothing held or released; the
        # page shows the time kept (issue 12.11).
        messages.warning(request, error.messages[0])
        return redirect(reverse("declarations:appointment"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if isinstance(error, SlotUnavailable):
            back = _picker_return(
                picker.cleaned_data["unit"].slug, request.POST.get("day", ""), picker.cleaned_data["starts_at"]
            )
        return redirect(back)
    return redirect("declarations:check")


def _client(request) -> str:
    return client_address(request) or "unknown"


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_view(request):
    """Step 8: a 6-digit code sent to the phone (notifications service); the right code submits."""
    draft = _draft_from_cookie(request)
    if draft is None and (done := _already_submitted(request)) is not None:
        return done
    if draft is not None and draft.corrects_id is not None:
        return redirect("declarations:check")  # sent from the check page, with the lookup's token
    answers, missing = selectors.draft_answers(draft=draft)
    if draft is None:
        return _lost(request)
    if missing is not None:
        messages.warning(request, MSG_COMPLETE_FIRST)
        return redirect(_step_url(missing.slug))
    if draft.hold is None and online.visit_needed(answers):
        messages.warning(request, filings_services.MSG_NO_HOLD)
        return redirect("declarations:appointment")
    phone = answers["phone"]
    verified = draft_confirmed_in_session(request, draft=draft, phone=phone.as_e164)
    # Confirmed by a family's earlier code in this session (issue 12.13): no code for this declaration, so its
    # statement is ticked with the submit button.
    pledge_with_submit = verified and draft.otp_challenge_id is None
    if request.method == "POST":
        return _confirm_post(request, draft, answers, verified=verified, pledge_with_submit=pledge_with_submit)
    kept = form_errors_pop(request, page=CONFIRM_PAGE)
    form = form_show_errors(CodeForm(), {k: v for k, v in kept.items() if k == "code"})
    context = {
        "form": form,
        "phone": phone.as_national,
        "verified": verified,
        "code_sent": draft.otp_challenge is not None and draft.otp_challenge.phone == phone.as_e164,
        "pledge_error": "pledge" in kept,
        "pledge_with_submit": pledge_with_submit,
        "progress": _progress("xac-nhan"),
        "step": selectors.STEP_BY_SLUG["xac-nhan"],
        "draft": draft,
    }
    return render(request, "declarations/confirm.html", context)


CONFIRM_PAGE = "declarations:confirm"
MSG_PLEDGE = gettext_lazy("Tick the declaration above to continue.")


def _confirm_post(request, draft, answers, *, verified: bool, pledge_with_submit: bool):
    """Send the code, check it, submit: every outcome is a redirect (issue 12.9); errors are shown after it."""
    phone = answers["phone"]
    action = request.POST.get("action")
    version = draft_posted_version(request)
    if version is not None and version != draft.version:
        # The answers changed in another tab since this page was opened: check them before submitting (12.11).
        messages.warning(request, filings_services.MSG_DRAFT_CONFLICT)
        return redirect("declarations:check")
    code_sent = draft.otp_challenge is not None and draft.otp_challenge.phone == phone.as_e164
    pledged = bool(request.POST.get("pledge"))
    if (action == "send" and not code_sent and not pledged) or (
        action == "submit" and pledge_with_submit and not pledged
    ):
        # DC02's declaration statement: the code (and so the submission) only after the citizen ticks it.
        form_errors_keep(request, page=CONFIRM_PAGE, errors={"pledge": [MSG_PLEDGE]})
        return redirect("declarations:confirm")
    if action == "send":
        try:
            filings_services.draft_send_code(
                draft=draft, phone=phone.as_e164, language=get_language(), client=_client(request)
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, MSG_CODE_SENT % {"phone": phone.as_national})
        return redirect("declarations:confirm")
    if action == "verify" and not verified:
        form = CodeForm(data=request.POST)
        if form.is_valid():
            try:
                filings_services.draft_verify_code(draft=draft, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                verified = True
        if not verified:
            form_errors_keep(request, page=CONFIRM_PAGE, errors=form.errors)
            return redirect("declarations:confirm")
    if verified and action in ("verify", "submit"):
        return _submit(request, draft, answers)
    return redirect("declarations:confirm")


def _submit(request, draft, answers):
    submit = services.declaration_submit if online.visit_needed(answers) else online.declaration_submit_online
    try:
        declaration = submit(draft=draft, answers=answers, language=get_language())
    except ValidationError as error:
        if isinstance(error, SlotUnavailable):
            # Back to the picker at the day of the time that was lost (its remaining times are the alternatives).
            hold = draft.hold
            messages.warning(request, MSG_SLOT_TAKEN)
            day = timezone.localdate(hold.starts_at).isoformat()
            return redirect(_picker_return(hold.unit.slug, day, hold.starts_at))
        if (done := _already_submitted(request)) is not None:  # the other tap won the race
            return done
        messages.error(request, error.messages[0])
        return redirect("declarations:confirm")
    draft_confirmation_remember(request, draft=draft, phone=answers["phone"].as_e164)
    response = redirect("declarations:done", token=receipt_token(declaration.code))
    response.delete_cookie(DRAFT_COOKIE)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def resume_view(request, draft_id):
    """The resume link: this browser continues its draft; another browser first proves the draft is the citizen's
    (a code sent to its mobile number, or its date of birth before the contact step), issue 12.5."""
    draft = selectors.draft_get(key=draft_id)
    if draft is not None and draft.corrects_id is not None:
        # A correction is reopened only through the lookup (code + phone or date of birth).
        messages.warning(request, MSG_LOOK_UP_AGAIN)
        return redirect("filings:lookup")
    return draft_resume_respond(
        request,
        key=draft_id,
        procedure_slug=Procedure.IDENTITY_CARD,
        factors=_resume_factors,
        continue_to=_resume_continue_to,
        expired=lambda: _resume_expired(request),
    )


def _resume_factors(draft) -> ResumeFactors:
    answers, _missing = selectors.draft_answers(draft=draft)
    phone = answers.get("phone")
    return ResumeFactors(phone=phone.as_e164 if phone else "", birth_date=answers.get("birth_date"))


def _resume_continue_to(draft) -> str:
    _answers, missing = selectors.draft_answers(draft=draft)
    return _step_url(missing.slug) if missing else reverse("declarations:check")


def _resume_expired(request):
    messages.warning(request, MSG_EXPIRED)
    return redirect("declarations:start")


# --- Done page and what the citizen takes away ---------------------------------------------------------------
def _declaration_from_receipt(token: str) -> Filing:
    filing = filing_from_token(token=token, unsign=receipt_token_code, slug=Procedure.IDENTITY_CARD)
    if filing is None:
        raise Http404
    if not receipt_link_is_current(appointment=filing.appointment, submitted_at=filing.submitted_at):
        raise ReceiptExpired
    return filing


def _refuse_when_cancelled(declaration) -> None:
    if declaration.state == "cancelled":
        raise Http404  # its QR, slip and calendar file are no longer offered


class ReceiptExpired(Http404):
    """The done page's address is too old (see receipt_link_is_current): the lookup still works."""


def _receipts(view):
    """Done page and its files: never stored by a browser or proxy cache; an expired address explains itself."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except ReceiptExpired:
            response = render(request, "errors/receipt_expired.html", status=410)
        add_never_cache_headers(response)
        return response

    return wrapper


@_receipts
def done_view(request, token: str):
    declaration = _declaration_from_receipt(token)
    context = summary.done_context(declaration, token=token)
    return render(request, "declarations/done.html", context)


@_receipts
def slip_view(request, token: str):
    declaration = _declaration_from_receipt(token)
    _refuse_when_cancelled(declaration)
    context = summary.done_context(declaration, token=token)
    return render(request, "declarations/slip.html", context)


def _image(data: bytes, content_type: str, *, cache_seconds: int = 3600) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = f"private, max-age={cache_seconds}"
    return response


@_receipts
def receipt_qr_view(request, token: str):
    declaration = _declaration_from_receipt(token)
    _refuse_when_cancelled(declaration)
    return _image(outputs.qr_png(qr_token(declaration.code), box=5), "image/png")


@_receipts
def slip_png_view(request, token: str):
    declaration = _declaration_from_receipt(token)
    _refuse_when_cancelled(declaration)
    context = summary.done_context(declaration, token=token)
    data = outputs.slip_png(
        title=str(MSG_SLIP_TITLE),
        code=context["code_display"],
        lines=summary.slip_lines(context),
        qr_data=qr_token(declaration.code),
        footer=settings.SITE_URL + reverse("filings:lookup"),
    )
    return _image(data, "image/png")


@_receipts
def ics_view(request, token: str):
    declaration = _declaration_from_receipt(token)
    _refuse_when_cancelled(declaration)
    event = summary.calendar_event(declaration)
    if event is None:
        raise Http404
    response = HttpResponse(outputs.ics_build(**event), content_type="text/calendar; charset=utf-8")
    # inline: in-app browsers hand the file to the calendar instead of a download dialog
    response["Content-Disposition"] = f'inline; filename="lich-hen-{declaration.code}.ics"'
    return response


def poster_qr_view(request, fmt: str):
    """A stable QR code of the form's public address, for posters and the Official Account."""
    url = settings.SITE_URL + "/thu-tuc/cap-cccd/"
    if fmt == "svg":
        return _image(outputs.qr_svg(url), "image/svg+xml", cache_seconds=86400)
    return _image(outputs.qr_png(url, box=10), "image/png", cache_seconds=86400)


# --- Correcting a filing an officer returned (from the lookup) ----------------------------------------------------
def _render_correction_check(request, draft, answers):
    filing = draft.corrects
    if filing.state != FilingState.RETURNED:  # received at the counter or cancelled meanwhile
        messages.info(request, services.MSG_NOT_RETURNED)
        response = redirect("filings:lookup")
        response.delete_cookie(DRAFT_COOKIE)
        return response
    appointment = filing.appointment
    visit_day = timezone.localdate(appointment.starts_at) if appointment else timezone.localdate()
    context = {
        "sections": summary.answer_sections(answers),
        "fee": summary.fee_for_answers(answers, on=visit_day),
        "postal_fee": summary.postal_fee(answers, on=visit_day),
        "hold": appointment,
        "no_visit": appointment is None,
        "progress": _progress("kiem-tra"),
        "correction": filing,
        "reason": filing_last_reason(filing=filing),
        "send_url": reverse("declarations:correct-send", args=[draft.data.get(services.LOOKUP_KEY) or "-"]),
    }
    return render(request, "declarations/check.html", context)


def _returned_filing(token: str):
    """The filing behind the lookup's signed token (code + phone or date of birth checked within 30 minutes)."""
    return filing_from_token(token=token, unsign=lookup_token_code, slug=Procedure.IDENTITY_CARD)


@never_cache
def correct_start_view(request, token: str):
    """The lookup's "correct my answers" for an identity card: the journey reopened, prefilled, at the check page."""
    filing = _returned_filing(token)
    if filing is None:
        messages.warning(request, MSG_LOOK_UP_AGAIN)
        return redirect("filings:lookup")
    try:
        draft = services.declaration_correction_start(filing=filing, draft=_draft_from_cookie(request), lookup=token)
    except ValidationError as error:
        messages.warning(request, error.messages[0])
        return redirect("filings:lookup-detail", token=token)
    response = redirect("declarations:check")
    _set_draft_cookie(response, draft)
    return response


@never_cache
@require_http_methods(["POST"])
def correct_send_view(request, token: str):
    filing = _returned_filing(token)
    if filing is None:
        messages.warning(request, MSG_LOOK_UP_AGAIN)
        return redirect("filings:lookup")
    draft = _draft_from_cookie(request)
    if draft is None or draft.corrects_id != filing.pk:
        return redirect("filings:lookup-detail", token=token)
    try:
        services.declaration_correct(draft=draft, filing=filing)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("declarations:check")
    messages.success(request, MSG_CORRECTED)
    response = redirect("filings:lookup-detail", token=token)
    response.delete_cookie(DRAFT_COOKIE)
    return response
