"""/tra-cuu/: one lookup for every procedure (code + phone or date of birth), the filing's status timeline, and
moving or cancelling the visit. The lookup's signed address is valid 30 minutes (tokens.LOOKUP_MAX_AGE)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.appointments.forms import SlotPickerForm
from apps.appointments.services import appointment_reschedule
from apps.core.codes import code_format
from apps.core.ratelimit import client_address, client_fingerprint, rate_limit_hit
from apps.procedures.forms.registry import form_class_for
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit

from . import selectors, services
from .answers import multi_step_for
from .forms import LookupForm
from .models import Filing, FilingState
from .tokens import lookup_token, lookup_token_code

LOOKUP_LIMIT = 10  # tries per client …
LOOKUP_WINDOW = 15 * 60  # … per 15 minutes
MSG_LOOKUP_NOT_FOUND = _(
    "We found no filing with this code and this phone number or date of birth. Check both and try again."
)
MSG_LOOKUP_LIMIT = _("Too many attempts from this device. Please wait 15 minutes and try again.")
MSG_CANCELLED = _("Your filing is cancelled. The time slot is free for someone else.")
MSG_CANCEL_REASON = _("Cancelled by the citizen online.")
MSG_MOVED = _("Your appointment is moved. We sent the new time to your phone.")
MSG_CORRECTED = _("Thank you: your corrected filing is sent again. The officers will check it.")


def _client_key(request) -> str:
    return "filings-lookup:" + client_fingerprint(client_address(request))


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_view(request):
    form = LookupForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not rate_limit_hit(key=_client_key(request), limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW):
            form.add_error(None, ValidationError(MSG_LOOKUP_LIMIT, code="rate_limited"))
        elif form.is_valid():
            try:
                filing = services.filing_lookup(
                    code=form.cleaned_data["code"],
                    phone=form.cleaned_data.get("phone") or None,
                    birth_date=form.cleaned_data.get("birth_date") or None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if filing is not None:
                    return redirect("filings:lookup-detail", token=lookup_token(filing.code))
                form.add_error(None, ValidationError(MSG_LOOKUP_NOT_FOUND, code="not_found"))
        form.show_errors = True
    else:
        form.show_errors = False
    return render(request, "filings/lookup.html", {"form": form})


def _filing_from_lookup(token: str) -> Filing:
    filing = selectors.filing_from_token(token=token, unsign=lookup_token_code)
    if filing is None:
        raise Http404
    return filing


def _context(filing: Filing, token: str) -> dict:
    # One query for the timeline and the reason of the current state.
    events = list(filing.events.order_by("at", "id"))
    current = [e for e in events if e.state == filing.state]
    return {
        "filing": filing,
        "procedure": filing.procedure,
        "appointment": filing.appointment,
        "post_to": selectors.filing_post_to(filing=filing),
        "code_display": code_format(filing.code),
        "state_label": selectors.filing_state_label(filing=filing),
        "timeline": selectors.filing_timeline(filing=filing, events=events),
        "reason": current[-1].reason if current else "",
        "returned": filing.state == FilingState.RETURNED,
        "can_correct": filing.state == FilingState.RETURNED
        and (form_class_for(filing.procedure.slug) is not None or multi_step_for(filing.procedure.slug) is not None),
        "can_change": services.filing_can_change(filing=filing),
        "done_url": selectors.filing_done_path(filing=filing),
        "lookup_token": token,
    }


@never_cache
def lookup_detail_view(request, token: str):
    filing = _filing_from_lookup(token)
    return render(request, "filings/lookup_detail.html", _context(filing, token))


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_view(request, token: str):
    filing = _filing_from_lookup(token)
    if request.method == "POST":
        try:
            services.filing_cancel(filing=filing, reason=str(MSG_CANCEL_REASON))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, MSG_CANCELLED)
        return redirect("filings:lookup-detail", token=token)
    return render(request, "filings/cancel.html", _context(filing, token))


def _units_for(procedure: Procedure):
    if procedure.slug == Procedure.IDENTITY_CARD:
        return PoliceUnit.objects.filter(receives_id_applications=True, is_active=True)
    return None


def _int_or_none(value) -> int | None:
    """A page's hidden counter; absent (a page from before the field existed) or malformed: not checked."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule_view(request, token: str):
    filing = _filing_from_lookup(token)
    if not services.filing_can_change(filing=filing):
        messages.error(request, services.MSG_CANNOT_CHANGE)
        return redirect("filings:lookup-detail", token=token)
    # The page posts back how many times the appointment had been moved when it was shown: a move chosen on an
    # older page (another tab, another device) is refused instead of silently replacing a newer one.
    picker = SlotPickerForm(
        request.POST or None,
        procedure=filing.procedure,
        unit_qs=_units_for(filing.procedure),
        query=request.GET,
        action=request.path,
        hidden={"moves_seen": str(filing.appointment.reschedule_count)},
    )
    if request.method == "POST" and picker.is_valid():
        try:
            appointment_reschedule(
                appointment=filing.appointment,
                starts_at=picker.cleaned_data["starts_at"],
                unit=picker.cleaned_data["unit"],
                notify=services.filing_change_notifier(filing=filing, language=filing.language),
                moves_seen=_int_or_none(request.POST.get("moves_seen")),
            )
        except ValidationError as error:
            picker.add_service_error(error)
        else:
            messages.success(request, MSG_MOVED)
            return redirect(reverse("filings:lookup-detail", args=[token]))
    context = _context(filing, token)
    context["picker"] = picker
    return render(request, "filings/reschedule.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def correct_view(request, token: str):
    """A filing returned for correction: the procedure's own form with the answers given, to correct and send."""
    filing = _filing_from_lookup(token)
    multi_step = multi_step_for(filing.procedure.slug)
    if multi_step is not None and filing.state == FilingState.RETURNED:
        # A procedure with its own multi-step form (the identity card) reopens it, prefilled.
        return redirect(multi_step.correct_url_name, token=token)
    form_class = form_class_for(filing.procedure.slug)
    if form_class is None or filing.state != FilingState.RETURNED:
        return redirect("filings:lookup-detail", token=token)
    # The phone is the one confirmed on submission: shown, not changed here.
    fixed = {"holder_name": filing.holder_name, "phone": str(filing.phone)}
    data = request.POST if request.method == "POST" else {**filing.answers, **fixed}
    # The notice was accepted and the declaration made when the filing was submitted (Filing.notice_version).
    form = form_class(data=data, initial={"phone": fixed["phone"]}, consent=False)
    form.fields["phone"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_correct(
                filing=filing,
                holder_name=form.cleaned_data["holder_name"],
                answers=form.to_data(),
                form_version=form_class.version,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, MSG_CORRECTED)
            return redirect("filings:lookup-detail", token=token)
    context = _context(filing, token)
    context["form"] = form
    return render(request, "filings/correct.html", context)


@never_cache
def draft_lost_view(request, slug: str):
    """A journey's later step reached without this browser's draft (issue 12.10): why that happens, and the ways
    back (the resume link, which keeps the answers for 7 days; starting again; the lookup for a filing already
    submitted). `?het-han=1`: the browser had a draft that is gone (expired, or continued in another browser)."""
    procedure = Procedure.objects.filter(slug=slug, is_active=True).first()
    if procedure is None:
        raise Http404
    start_url = (
        reverse("declarations:start")
        if slug == Procedure.IDENTITY_CARD
        else reverse("procedures:start", kwargs={"slug": slug})
    )
    context = {"procedure": procedure, "start_url": start_url, "gone": request.GET.get("het-han") == "1"}
    return render(request, "filings/draft_lost.html", context)
