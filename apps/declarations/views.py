"""The identity-card journey (/thu-tuc/cap-cccd/), the done page and its files (the lookup is apps.filings').

Every step is one form on one page. A POST first keeps what was typed in the draft (valid or not), then
validates: "Back", "Show the wards" and errors never lose input. A GET with no draft renders the empty step
(no row is written until the citizen posts something).
"""

import functools
from datetime import date

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

from apps.appointments.forms import SlotPickerForm
from apps.appointments.services import SlotUnavailable
from apps.core.forms.journey import CodeForm
from apps.core.ratelimit import client_address
from apps.filings import outputs
from apps.filings import services as filings_services
from apps.filings.drafts import draft_confirmation_remember, draft_confirmed_in_session
from apps.filings.models import Filing
from apps.filings.selectors import filing_from_token, filing_last_reason
from apps.filings.tokens import (
    DRAFT_COOKIE_SALT,
    lookup_token_code,
    qr_token,
    receipt_link_is_current,
    receipt_token,
    receipt_token_code,
)
from apps.procedures.models import Procedure
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


def _draft_id_from_cookie(request):
    return request.get_signed_cookie(
        DRAFT_COOKIE, default=None, salt=DRAFT_COOKIE_SALT, max_age=filings_services.DRAFT_LIFETIME.total_seconds()
    )


def _draft_from_cookie(request):
    return selectors.draft_get(draft_id=_draft_id_from_cookie(request))


def _already_submitted(request):
    """A double tap on "submit": the second request finds this browser's draft submitted (issue 12.11), and is
    shown the filing that went through instead of an error."""
    declaration = selectors.draft_submitted_declaration(draft_id=_draft_id_from_cookie(request))
    if declaration is None:
        return None
    response = redirect("declarations:done", token=receipt_token(declaration.code))
    response.delete_cookie(DRAFT_COOKIE)
    return response


def _set_draft_cookie(response, draft) -> None:
    response.set_signed_cookie(
        DRAFT_COOKIE,
        str(draft.id),
        salt=DRAFT_COOKIE_SALT,
        max_age=int(filings_services.DRAFT_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _progress(slug: str) -> dict:
    index = selectors.step_index(slug)
    return {"number": index + 1, "total": len(selectors.STEPS), "title": selectors.STEPS[index].title}


@never_cache
@require_http_methods(["GET", "POST"])
def step_view(request, slug: str = ""):
    step = selectors.STEP_BY_SLUG.get(slug)
    if step is None or step.form_class is None:
        raise Http404
    draft = _draft_from_cookie(request)
    answers, _missing = selectors.draft_answers(draft=draft, upto=slug)
    returning = request.GET.get("sua") == "1" or request.POST.get("return") == "check"
    correcting = draft is not None and draft.corrects_id is not None
    returning = returning or correcting
    created = False
    if request.method == "POST":
        posted = request.POST
        if correcting and "phone" in step.form_class.base_fields:
            # A correction keeps the phone confirmed on submission, whatever is posted.
            posted = request.POST.copy()
            posted["phone"] = (draft.data.get(slug) or {}).get("phone", "")
        form = step.form_class(data=posted, answers=answers)
        raw = {name: posted.get(name, "") for name in form.fields if name in posted}
        if draft is None:
            draft = filings_services.draft_create(procedure_slug=Procedure.IDENTITY_CARD)
            created = True
        filings_services.draft_save_step(draft=draft, step=slug, data=raw)
        action = request.POST.get("action", "next")
        index = selectors.step_index(slug)
        response = None
        if action == "back" and index > 0:
            response = redirect(_step_url(selectors.STEPS[index - 1].slug))
        elif action == "refresh":
            response = redirect(
                _step_url(slug) + ("?sua=1" if returning else "") + "#" + request.POST.get("anchor", "main")
            )
        elif form.is_valid():
            target = "kiem-tra" if returning else selectors.STEPS[index + 1].slug
            response = redirect(_step_url(target))
        if response is not None:
            if created:
                _set_draft_cookie(response, draft)
            return response
        form.show_errors = True
    else:
        raw = draft.data.get(slug) if draft else None
        form = step.form_class(data=raw, answers=answers) if raw is not None else step.form_class(answers=answers)
        form.show_errors = False
    if correcting and "phone" in form.fields:
        form.fields["phone"].widget.attrs["readonly"] = True
        form.fields["phone"].help_text = MSG_PHONE_KEPT
    context = {
        "form": form,
        "step": step,
        "progress": _progress(slug),
        "draft": draft,
        "returning": returning,
        "resume_url": request.build_absolute_uri(reverse("declarations:resume", args=[draft.id])) if draft else "",
        "guide_html": summary.guide_html() if not slug else "",
        "is_first": not slug,
    }
    response = render(request, "declarations/step.html", context)
    if created:
        _set_draft_cookie(response, draft)
    return response


@never_cache
def check_view(request):
    draft = _draft_from_cookie(request)
    answers, missing = selectors.draft_answers(draft=draft)
    if draft is None or missing is not None:
        if draft is not None:
            messages.warning(request, MSG_COMPLETE_FIRST)
        return redirect(_step_url(missing.slug if missing else ""))
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
        "resume_url": request.build_absolute_uri(reverse("declarations:resume", args=[draft.id])),
        "next_url": reverse("declarations:confirm"),
    }
    return render(request, "declarations/check.html", context)


# --- Appointment and confirmation code: procedure-agnostic steps -------------------------------------------------
def _identity_procedure() -> Procedure:
    procedure = Procedure.objects.filter(slug=Procedure.IDENTITY_CARD).first()
    if procedure is None:
        raise Http404
    return procedure


def _picker(request, procedure, data=None, *, query=None) -> SlotPickerForm:
    units = PoliceUnit.objects.filter(receives_id_applications=True, is_active=True)
    return SlotPickerForm(
        data,
        procedure=procedure,
        unit_qs=units,
        query=request.GET if query is None else query,
        action=reverse("declarations:appointment"),
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
        "resume_url": request.build_absolute_uri(reverse("declarations:resume", args=[draft.id])) if draft else "",
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
        procedure = _identity_procedure()
        answers, missing = selectors.draft_answers(draft=draft, upto="lich-hen")
        if draft is None or missing is not None:
            messages.warning(request, MSG_COMPLETE_FIRST)
            return redirect(_step_url(missing.slug if missing else ""))
        picker = _picker(request, procedure, request.POST)
        if picker.is_valid():
            try:
                filings_services.draft_hold(
                    draft=draft,
                    procedure=procedure,
                    unit=picker.cleaned_data["unit"],
                    starts_at=picker.cleaned_data["starts_at"],
                    phone=answers["phone"].as_e164,
                    id_number=answers["id_number"],
                )
            except ValidationError as error:
                picker.add_service_error(error)
            else:
                return redirect("declarations:check")
        return _render_appointment(request, draft, picker, with_representative=with_representative)
    return _render_appointment(
        request, draft, lambda: _picker(request, _identity_procedure()), with_representative=with_representative
    )


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
    if draft is None or missing is not None:
        if draft is not None:
            messages.warning(request, MSG_COMPLETE_FIRST)
        return redirect(_step_url(missing.slug if missing else ""))
    if draft.hold is None and online.visit_needed(answers):
        messages.warning(request, filings_services.MSG_NO_HOLD)
        return redirect("declarations:appointment")
    phone = answers["phone"]
    verified = draft_confirmed_in_session(request, draft=draft, phone=phone.as_e164)
    # Confirmed by a family's earlier code in this session (issue 12.13): no code for this declaration, so its
    # statement is ticked with the submit button.
    pledge_with_submit = verified and draft.otp_challenge_id is None
    code_sent = draft.otp_challenge is not None and draft.otp_challenge.phone == phone.as_e164
    form = CodeForm(data=request.POST if request.POST.get("action") == "verify" else None)
    pledge_error = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send" and not code_sent and not request.POST.get("pledge"):
            # DC02's declaration statement: the code (and so the submission) only after the citizen ticks it.
            pledge_error = True
        elif action == "send":
            try:
                filings_services.draft_send_code(
                    draft=draft, phone=phone.as_e164, language=get_language(), client=_client(request)
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, MSG_CODE_SENT % {"phone": phone.as_national})
            return redirect("declarations:confirm")
        if action == "verify" and not verified and form.is_valid():
            try:
                filings_services.draft_verify_code(draft=draft, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                verified = True
        if action == "submit" and pledge_with_submit and not request.POST.get("pledge"):
            pledge_error = True
        elif verified and action in ("verify", "submit"):
            return _submit(request, draft, answers)
    context = {
        "form": form,
        "phone": phone.as_national,
        "verified": verified,
        "code_sent": code_sent,
        "pledge_error": pledge_error,
        "pledge_with_submit": pledge_with_submit,
        "progress": _progress("xac-nhan"),
        "step": selectors.STEP_BY_SLUG["xac-nhan"],
    }
    return render(request, "declarations/confirm.html", context)


def _submit(request, draft, answers):
    submit = services.declaration_submit if online.visit_needed(answers) else online.declaration_submit_online
    try:
        declaration = submit(draft=draft, answers=answers, language=get_language())
    except ValidationError as error:
        if isinstance(error, SlotUnavailable):
            # The picker, bound to the time that was lost, shows the refusal and the nearest free alternatives.
            hold = draft.hold
            local = timezone.localtime(hold.starts_at)
            data = {
                "unit": hold.unit.slug,
                "day": local.date().isoformat(),
                "slot": f"{hold.unit_id}@{local:%Y%m%d%H%M}",
            }
            picker = _picker(request, _identity_procedure(), data, query={"unit": data["unit"], "day": data["day"]})
            picker.is_valid()
            picker.add_service_error(error)
            messages.warning(request, MSG_SLOT_TAKEN)
            draft.refresh_from_db()
            return _render_appointment(request, draft, picker, status=409)
        if (done := _already_submitted(request)) is not None:  # the other tap won the race
            return done
        messages.error(request, error.messages[0])
        return redirect("declarations:confirm")
    draft_confirmation_remember(request, draft=draft, phone=answers["phone"].as_e164)
    response = redirect("declarations:done", token=receipt_token(declaration.code))
    response.delete_cookie(DRAFT_COOKIE)
    return response


def resume_view(request, draft_id):
    draft = selectors.draft_get(draft_id=draft_id)
    if draft is None:
        messages.warning(request, MSG_EXPIRED)
        return redirect("declarations:start")
    _answers, missing = selectors.draft_answers(draft=draft)
    response = redirect(_step_url(missing.slug) if missing else reverse("declarations:check"))
    _set_draft_cookie(response, draft)
    return response


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
    appointment = filing.appointment
    visit_day = timezone.localdate(appointment.starts_at) if appointment else timezone.localdate()
    context = {
        "sections": summary.answer_sections(answers),
        "fee": summary.fee_for_answers(answers, on=visit_day),
        "postal_fee": summary.postal_fee(answers, on=visit_day),
        "hold": appointment,
        "no_visit": appointment is None,
        "progress": _progress("kiem-tra"),
        "resume_url": request.build_absolute_uri(reverse("declarations:resume", args=[draft.id])),
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
