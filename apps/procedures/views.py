"""/thu-tuc/: the catalogue, one "about" page per procedure, and the journey of every procedure with a registered
form: the form (kept as a draft, like the identity card's steps), the time, the confirmation code, the done page.
Filing, drafts, codes and states are the filings app's."""

from urllib.parse import urlencode

import phonenumbers
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from apps.appointments.forms import NEAR_PARAM, PICKER_ANCHOR, SlotPickerForm
from apps.appointments.models import AppointmentStatus
from apps.appointments.services import SlotUnavailable
from apps.core.codes import code_format
from apps.core.forms.journey import CodeForm, form_errors_keep, form_errors_pop, form_show_errors
from apps.core.ratelimit import client_address
from apps.filings import outputs
from apps.filings import services as filings_services
from apps.filings.drafts import (
    ResumeFactors,
    draft_confirmation_remember,
    draft_confirmed_in_session,
    draft_cookie_delete,
    draft_cookie_set,
    draft_from_cookie,
    draft_lost_redirect,
    draft_posted_version,
    draft_resume_respond,
    draft_save_posted,
)
from apps.filings.selectors import (
    filing_done_path,
    filing_from_token,
    filing_get,
    filing_last_reason,
    filing_state_label,
)
from apps.filings.services import MSG_DRAFT_CONFLICT, DraftConflict
from apps.filings.tokens import lookup_token, qr_token, receipt_link_is_current, receipt_token_code

from .forms.registry import form_class_for
from .models import Procedure
from .selectors import (
    procedure_cached,
    procedure_fee_text,
    procedure_get_active,
    procedure_get_for_journey,
    procedure_has_online_journey,
    procedure_list_active,
    procedure_units_with_hours,
)

# The name of the submit button that shows the form again with what was typed (e.g. the wards of a new province).
REFRESH = "_refresh"
FORM_STEP = "form"  # the key of the form's raw data in Draft.data
SUBMITTED_KEY = "procedures:submitted"  # session: the code this browser just submitted, per procedure
MSG_START_AGAIN = _("Please fill in the form first: we could not find your request on this phone.")
MSG_CANCELLED_ONLINE = _("Cancelled by the citizen online.")
MSG_EXPIRED = _("This saved form has expired or was already submitted. Please start again.")


class ProcedureListView(TemplateView):
    """The catalogue's content is rendered once per language and kept until an officer changes a procedure."""

    template_name = "procedures/procedure_list.html"

    def get_context_data(self, **kwargs):
        def build() -> str:
            context = {"procedures": procedure_list_active()}
            return render_to_string("procedures/_procedure_list_content.html", context, request=self.request)

        html = procedure_cached(key=f"list:{translation.get_language()}", build=build)
        # Rendered by our own autoescaping template.
        return super().get_context_data(content_html=mark_safe(html), **kwargs)  # noqa: S308


# Where the fee goes in the kept page (a marker no text contains, left as it is by escaping).
FEE_SLOT = "@@procedure-fee@@"


class ProcedureDetailView(TemplateView):
    """Like the list, rendered once per procedure and language (units, phones and hours included)."""

    template_name = "procedures/procedure_detail.html"

    def get_context_data(self, **kwargs):
        slug = kwargs["slug"]

        def build() -> tuple[Procedure, str] | None:
            procedure = procedure_get_active(slug=slug)
            if procedure is None:
                return None
            context = {
                "procedure": procedure,
                "fee_slot": FEE_SLOT,
                "units": procedure_units_with_hours(procedure=procedure),
                "can_book": procedure_has_online_journey(procedure=procedure),
            }
            html = render_to_string("procedures/_procedure_detail_content.html", context, request=self.request)
            del procedure.active_units  # only the rendered units are kept, not the prefetched rows
            return procedure, html

        cached = procedure_cached(key=f"detail:{translation.get_language()}:{slug[:80]}", build=build)
        if cached is None:
            raise Http404
        procedure, html = cached
        # The fee's amounts come from the fee schedule for today (cached, no query when warm), filled in after the
        # kept page: it changes the day a reduction ends or an officer changes the schedule.
        fee_text = procedure_fee_text(procedure=procedure, on=timezone.localdate())
        html = html.replace(FEE_SLOT, linebreaksbr(fee_text, autoescape=True))
        return super().get_context_data(procedure=procedure, content_html=mark_safe(html), **kwargs)  # noqa: S308


class ProcedureJourneyMixin:
    """Loads the active procedure of a registered form from the URL (404 otherwise)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.procedure = procedure_get_for_journey(slug=kwargs["slug"])
        self.form_class = form_class_for(kwargs["slug"])

    def dispatch(self, request, *args, **kwargs):
        if self.procedure is None or self.form_class is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def resume_url(self, draft) -> str:
        if draft is None:
            return ""
        return self.request.build_absolute_uri(
            reverse("procedures:resume", kwargs={"slug": self.procedure.slug, "draft_id": draft.key})
        )


def _draft_form(form_class, draft):
    """The procedure's form bound to what the draft keeps (None when nothing was typed yet)."""
    raw = draft.data.get(FORM_STEP) if draft else None
    return form_class(data=raw) if raw is not None else None


@method_decorator(never_cache, name="dispatch")
class RequestStartView(ProcedureJourneyMixin, TemplateView):
    """Step 1: the procedure's short form. What is posted is kept in the draft first (valid or not): errors,
    "show the wards" and a lost session never lose what was typed. Every POST ends in a redirect (issue 12.9):
    the form's GET shows what the draft keeps, with its errors when it was last posted with errors."""

    template_name = "procedures/request_form.html"

    def get(self, request, *args, **kwargs):
        draft = draft_from_cookie(request, procedure_slug=self.procedure.slug)
        form = _draft_form(self.form_class, draft) or self.form_class()
        form.show_errors = draft is not None and draft.invalid_step == FORM_STEP
        return self.render_to_response(self.get_context_data(form=form, draft=draft))

    def post(self, request, *args, **kwargs):
        draft = draft_from_cookie(request, procedure_slug=self.procedure.slug)
        names = (*self.form_class.base_fields, *self.form_class.CONSENT_FIELDS)
        raw = {name: request.POST.get(name, "") for name in names if name in request.POST}
        refresh = REFRESH in request.POST
        valid = refresh or self.form_class(data=request.POST).is_valid()
        here = reverse("procedures:start", kwargs={"slug": self.procedure.slug})
        try:
            draft, created = draft_save_posted(
                request, draft=draft, procedure_slug=self.procedure.slug, step=FORM_STEP, data=raw, invalid=not valid
            )
        except DraftConflict as exc:
            messages.warning(request, exc.messages[0])
            return redirect(here)
        if refresh:
            response = redirect(
                here + (f"#id_{self.form_class.REFRESH_FIELD}" if self.form_class.REFRESH_FIELD else "")
            )
        elif valid:
            response = redirect("procedures:book", slug=self.procedure.slug)
        else:
            response = redirect(here)
        if created:
            draft_cookie_set(response, draft=draft)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            procedure=self.procedure, refresh=REFRESH, resume_url=self.resume_url(kwargs.get("draft")), **kwargs
        )


class DraftJourneyMixin(ProcedureJourneyMixin):
    """Steps after the form: they need this browser's draft with a valid form, else back to step 1."""

    def dispatch(self, request, *args, **kwargs):
        if self.procedure is not None and self.form_class is not None:
            self.draft = draft_from_cookie(request, procedure_slug=self.procedure.slug)
            self.form = _draft_form(self.form_class, self.draft)
            if self.form is None or not self.form.is_valid():
                # A double tap on "confirm": the second request finds the filing the first one submitted.
                just_submitted = filing_get(code=request.session.get(f"{SUBMITTED_KEY}:{self.procedure.slug}", ""))
                if just_submitted is not None:
                    return redirect(filing_done_path(filing=just_submitted))
                if self.draft is None:
                    return draft_lost_redirect(request, procedure_slug=self.procedure.slug)
                messages.info(request, MSG_START_AGAIN)
                return redirect("procedures:start", slug=self.procedure.slug)
            self.phone = self.form.cleaned_data["phone"].as_e164
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            procedure=self.procedure,
            draft=self.draft,
            holder_name=self.form.cleaned_data["holder_name"],
            resume_url=self.resume_url(self.draft),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class RequestBookView(DraftJourneyMixin, TemplateView):
    """Step 2: the appointments slot picker, limited to the units that handle this procedure."""

    template_name = "procedures/request_book.html"

    def get(self, request, *args, **kwargs):
        picker = SlotPickerForm(
            procedure=self.procedure,
            query=request.GET,
            action=request.path,
            holder_key=f"draft:{self.draft.id}",
            # The draft's version goes back with the chosen time: a time picked on an older page is refused (12.11).
            hidden={"draft_version": str(self.draft.version)},
        )
        picker.offer_alternatives_from_query()
        return self.render_to_response(self.get_context_data(picker=picker))

    def post(self, request, *args, **kwargs):
        """Every outcome is a redirect (issue 12.9): a refusal goes back to the same unit and day with the reason
        (the day's remaining times are the alternatives)."""
        picker = SlotPickerForm(request.POST, procedure=self.procedure, query=request.GET, action=request.path)
        query = urlencode({k: request.POST[k] for k in ("unit", "day") if request.POST.get(k)})
        back = request.path + (f"?{query}" if query else "") + f"#{PICKER_ANCHOR}"
        if not picker.is_valid():
            for errors in picker.errors.values():
                messages.error(request, errors[0])
            return redirect(back)
        try:
            filings_services.draft_hold(
                draft=self.draft,
                procedure=self.procedure,
                unit=picker.cleaned_data["unit"],
                starts_at=picker.cleaned_data["starts_at"],
                phone=self.phone,
                id_number=self.form.holder_id_number(),
                version=draft_posted_version(request),
            )
        except filings_services.HoldConflict as exc:
            # Another tab changed the draft or chose a time since this page was opened: nothing was held or
            # released; the page then shows the time kept (issue 12.11).
            messages.warning(request, exc.messages[0])
            if exc.current is not None:
                messages.info(request, hold_kept_message(exc.current))
                return redirect(self._picker_at(exc.current))
            return redirect(back)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            if isinstance(exc, SlotUnavailable):  # the nearest free times are offered after the redirect
                starts_at = picker.cleaned_data["starts_at"]
                near = urlencode(
                    {
                        "unit": picker.cleaned_data["unit"].slug,
                        "day": timezone.localdate(starts_at).isoformat(),
                        NEAR_PARAM: starts_at.isoformat(),
                    }
                )
                back = request.path + f"?{near}#{PICKER_ANCHOR}"
            return redirect(back)
        return redirect("procedures:confirm", slug=self.procedure.slug)

    def _picker_at(self, hold) -> str:
        """The picker at the unit and day of `hold`, where it is shown as the chosen time."""
        query = urlencode({"unit": hold.unit.slug, "day": timezone.localdate(hold.starts_at).isoformat()})
        return f"{self.request.path}?{query}#{PICKER_ANCHOR}"


MSG_HOLD_KEPT = _("The time kept for you: %(time)s on %(date)s, %(unit)s.")


def hold_kept_message(hold) -> str:
    local = timezone.localtime(hold.starts_at)
    return MSG_HOLD_KEPT % {"time": f"{local:%H:%M}", "date": f"{local:%d/%m/%Y}", "unit": hold.unit.display_name}


MSG_CODE_SENT = _("We sent a confirmation code to %(phone)s.")
MSG_HOLD_LOST = _("The time you chose is no longer kept for you. Please choose a time again.")


@method_decorator(never_cache, name="dispatch")
class RequestConfirmView(DraftJourneyMixin, TemplateView):
    """Step 3: check the summary, get a confirmation code by SMS/Zalo, type it in: the filing is submitted and the
    visit booked (the filings app's `filing_submit`, the same as the identity card's)."""

    template_name = "procedures/request_confirm.html"

    def _held(self) -> bool:
        hold = self.draft.hold
        # A place held for another number (the citizen changed it since), or let go, is chosen again.
        return hold is not None and hold.status == AppointmentStatus.HELD and str(hold.phone) == self.phone

    def _choose_again(self):
        if self.draft.hold is not None:
            messages.warning(self.request, MSG_HOLD_LOST)
        return redirect("procedures:book", slug=self.procedure.slug)

    def _verified(self) -> bool:
        return draft_confirmed_in_session(self.request, draft=self.draft, phone=self.phone)

    def page_key(self) -> str:
        return f"procedures:confirm:{self.procedure.slug}"

    def get(self, request, *args, **kwargs):
        if not self._held():
            return self._choose_again()
        kept = form_errors_pop(request, page=self.page_key())
        form = form_show_errors(CodeForm(), {k: v for k, v in kept.items() if k == "code"})
        return self.render_to_response(self.get_context_data(form=form, send_errors=kept.get("send", [])))

    def post(self, request, *args, **kwargs):
        """Send the code, check it, submit: every outcome is a redirect (issue 12.9), errors shown after it."""
        if not self._held():
            return self._choose_again()
        version = draft_posted_version(request)
        if version is not None and version != self.draft.version:
            # The form or the time changed in another tab since this page was opened (issue 12.11).
            messages.warning(request, MSG_DRAFT_CONFLICT)
            return redirect("procedures:confirm", slug=self.procedure.slug)
        if request.POST.get("action") == "send":
            return self._send()
        form = CodeForm(request.POST)
        if not self._verified():
            if form.is_valid():
                try:
                    filings_services.draft_verify_code(draft=self.draft, code=form.cleaned_data["code"])
                except ValidationError as exc:
                    form.add_error("code", exc)
            if not self._verified():
                form_errors_keep(request, page=self.page_key(), errors=form.errors)
                return redirect("procedures:confirm", slug=self.procedure.slug)
        return self._submit()

    def _submit(self):
        procedure = self.procedure
        try:
            filing = filings_services.filing_submit(
                draft=self.draft,
                holder_name=self.form.cleaned_data["holder_name"],
                phone=self.phone,
                language=translation.get_language(),
                answers=self.form.to_data(),
                form_version=self.form_class.version,
                id_number=self.form.holder_id_number(),
                notice_version=self.form.notice_version,
                sensitive_consent=self.form.sensitive_consent,
                done_url=lambda filing: filing_done_path(filing=filing),
            )
        except ValidationError as exc:
            # The held time was lost meanwhile (expired and taken): choose again, the details are kept.
            for message in exc.messages:
                messages.error(self.request, message)
            return redirect("procedures:book", slug=procedure.slug)
        self.request.session[f"{SUBMITTED_KEY}:{procedure.slug}"] = filing.code
        draft_confirmation_remember(self.request, draft=self.draft, phone=self.phone)
        response = redirect(filing_done_path(filing=filing))
        draft_cookie_delete(response, procedure_slug=procedure.slug)
        return response

    def _send(self):
        try:
            filings_services.draft_send_code(
                draft=self.draft,
                phone=self.phone,
                language=translation.get_language(),
                client=client_address(self.request) or "unknown",
            )
        except ValidationError as exc:
            form_errors_keep(self.request, page=self.page_key(), errors={"send": exc.messages})
            return redirect("procedures:confirm", slug=self.procedure.slug)
        messages.info(self.request, MSG_CODE_SENT % {"phone": phone_display(self.phone)})
        return redirect("procedures:confirm", slug=self.procedure.slug)

    def get_context_data(self, **kwargs):
        challenge = self.draft.otp_challenge
        return super().get_context_data(
            appointment=self.draft.hold,
            details=self.form_class.describe(self.form.to_data()),
            code_sent=challenge is not None and challenge.phone == self.phone,
            phone_confirmed=self._verified(),
            phone=phone_display(self.phone),
            **kwargs,
        )


def phone_display(phone) -> str:
    """+84901234567 as the citizen writes it: 0901 234 567."""
    if not phone:
        return ""
    number = phonenumbers.parse(str(phone), "VN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class RequestResumeView(ProcedureJourneyMixin, View):
    """The resume link: the draft's own address (7 days). In the browser that has the draft it continues at once;
    in another, no answer is shown before a code sent to the form's mobile number is typed (issue 12.5), then the
    draft moves to that browser under a new key: the old link and the browser that had it can no longer open it."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if self.procedure is None or self.form_class is None:
            raise Http404
        return draft_resume_respond(
            request,
            key=kwargs["draft_id"],
            procedure_slug=self.procedure.slug,
            factors=self._factors,
            continue_to=self._continue_to,
            expired=self._expired,
        )

    def _factors(self, draft) -> ResumeFactors:
        form = _draft_form(self.form_class, draft)
        if form is None:
            return ResumeFactors()
        form.is_valid()  # the fields that are valid are read even when another is not
        phone = form.cleaned_data.get("phone")
        return ResumeFactors(phone=phone.as_e164 if phone else "")

    def _continue_to(self, draft) -> str:
        form = _draft_form(self.form_class, draft)
        if form is None or not form.is_valid():
            return reverse("procedures:start", kwargs={"slug": self.procedure.slug})
        if draft.hold is None:
            return reverse("procedures:book", kwargs={"slug": self.procedure.slug})
        return reverse("procedures:confirm", kwargs={"slug": self.procedure.slug})

    def _expired(self):
        messages.warning(self.request, MSG_EXPIRED)
        return redirect("procedures:start", slug=self.procedure.slug)


class RequestDoneMixin:
    """The done page and its files, found by a signed token of the filing's code (not guessable)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filing = filing_from_token(token=kwargs["token"], unsign=receipt_token_code, slug=kwargs["slug"])

    def dispatch(self, request, *args, **kwargs):
        if self.filing is None:
            raise Http404
        obj = self.filing
        if not receipt_link_is_current(appointment=obj.appointment, submitted_at=obj.submitted_at):
            response = render(request, "errors/receipt_expired.html", status=410)
        else:
            response = super().dispatch(request, *args, **kwargs)
        # Never kept by a browser or proxy cache (a shared phone, an office computer).
        add_never_cache_headers(response)
        return response


class RequestDoneView(RequestDoneMixin, TemplateView):
    template_name = "procedures/request_done.html"

    def get_context_data(self, **kwargs):
        filing = self.filing
        form_class = form_class_for(filing.procedure.slug)
        return super().get_context_data(
            filing=filing,
            procedure=filing.procedure,
            appointment=filing.appointment,
            code_display=code_format(filing.code),
            state_label=filing_state_label(filing=filing),
            details=form_class.describe(filing.answers) if form_class else [],
            reason=filing_last_reason(filing=filing),
            can_change=filings_services.filing_can_change(filing=filing),
            **kwargs,
        )


class RequestQrView(RequestDoneMixin, View):
    def get(self, request, *args, **kwargs):
        if self.filing.state == "cancelled":
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        # The same QR for every procedure: a signed token of the code, which check-in scans.
        data = outputs.qr_png(qr_token(self.filing.code), box=5)
        response = HttpResponse(data, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class RequestCalendarView(RequestDoneMixin, View):
    def get(self, request, *args, **kwargs):
        if self.filing.state == "cancelled":
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        filing, appointment = self.filing, self.filing.appointment
        if appointment is None:
            raise Http404
        event = outputs.ics_build(
            uid=f"{filing.code}@{request.get_host()}",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            summary=f"{filing.procedure.display_name} ({code_format(filing.code)})",
            location=f"{appointment.unit.display_name}, {appointment.unit.address}",
            description=_("Bring the documents listed on the procedure's page."),
            url=request.build_absolute_uri(filing.procedure.get_absolute_url()),
        )
        response = HttpResponse(event, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="lich-hen-{filing.code}.ics"'
        return response


class RequestSlipView(RequestDoneMixin, View):
    """The booking as one image a citizen can long-press to save (Zalo's browser often cannot download files)."""

    def get(self, request, *args, **kwargs):
        if self.filing.state == "cancelled":
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        filing, appointment = self.filing, self.filing.appointment
        lines = [(pgettext("procedure booking", "Name"), filing.holder_name)]
        if appointment is not None:
            unit, starts_at = appointment.unit, timezone.localtime(appointment.starts_at)
            lines += [
                (pgettext("procedure booking", "Place"), f"{unit.display_name}, {unit.display_address}"),
                (pgettext("procedure booking", "Date and time"), f"{starts_at:%H:%M %d/%m/%Y}"),
            ]
        data = outputs.slip_png(
            title=filing.procedure.display_name,
            code=code_format(filing.code),
            lines=lines,
            qr_data=qr_token(filing.code),
            footer=settings.SITE_URL + filing.procedure.get_absolute_url(),
        )
        response = HttpResponse(data, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class RequestChangeView(RequestDoneMixin, View):
    """Moving or cancelling from the done page (its address, sent by SMS/Zalo, is the key): the one lookup's pages,
    for the same filing, as if the citizen had looked it up."""

    target = "filings:lookup-reschedule"

    def get(self, request, *args, **kwargs):
        return redirect(self.target, token=lookup_token(self.filing.code))


class RequestMoveView(RequestChangeView):
    target = "filings:lookup-reschedule"


class RequestCancelView(RequestChangeView):
    target = "filings:lookup-cancel"

    def post(self, request, *args, **kwargs):
        """The cancel button of the done page's own confirmation: the citizen cancels the filing and its visit."""
        try:
            filings_services.filing_cancel(filing=self.filing, reason=str(MSG_CANCELLED_ONLINE))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(filing_done_path(filing=self.filing))
