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
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit

from . import selectors, services
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
            filing = selectors.filing_find(
                code=form.cleaned_data["code"],
                phone=form.cleaned_data.get("phone") or None,
                birth_date=form.cleaned_data.get("birth_date") or None,
            )
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
        "code_display": code_format(filing.code),
        "state_label": selectors.filing_state_label(filing=filing),
        "timeline": selectors.filing_timeline(filing=filing, events=events),
        "reason": current[-1].reason if current else "",
        "returned": filing.state == FilingState.RETURNED,
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


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule_view(request, token: str):
    filing = _filing_from_lookup(token)
    if not services.filing_can_change(filing=filing):
        messages.error(request, services.MSG_CANNOT_CHANGE)
        return redirect("filings:lookup-detail", token=token)
    picker = SlotPickerForm(
        request.POST or None,
        procedure=filing.procedure,
        unit_qs=_units_for(filing.procedure),
        query=request.GET,
        action=request.path,
    )
    if request.method == "POST" and picker.is_valid():
        try:
            appointment_reschedule(
                appointment=filing.appointment,
                starts_at=picker.cleaned_data["starts_at"],
                unit=picker.cleaned_data["unit"],
                notify=services.filing_change_notifier(filing=filing, language=filing.language),
            )
        except ValidationError as error:
            picker.add_service_error(error)
        else:
            messages.success(request, MSG_MOVED)
            return redirect(reverse("filings:lookup-detail", args=[token]))
    context = _context(filing, token)
    context["picker"] = picker
    return render(request, "filings/reschedule.html", context)
