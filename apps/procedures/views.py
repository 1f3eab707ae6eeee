from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from apps.appointments.forms import SlotPickerForm
from apps.appointments.models import AppointmentStatus
from apps.core.codes import code_format
from apps.core.ratelimit import client_address
from apps.filings import outputs
from apps.filings.tokens import qr_token, receipt_link_is_current
from apps.notifications.models import OtpChallenge
from apps.notifications.services import otp_issue, otp_verify

from .forms.confirm import ConfirmCodeForm
from .forms.registry import form_class_for
from .journey import journey_current, journey_forget, journey_just_submitted, journey_remember
from .models import Procedure, RequestStatus
from .selectors import (
    procedure_cached,
    procedure_get_active,
    procedure_get_for_journey,
    procedure_has_online_journey,
    procedure_list_active,
    procedure_request_from_token,
    procedure_request_last_reason,
    procedure_units_with_hours,
)
from .services import (
    CANNOT_CHANGE_BOOKING,
    procedure_request_can_change,
    procedure_request_cancel,
    procedure_request_confirm,
    procedure_request_create,
    procedure_request_done_path,
    procedure_request_hold,
    procedure_request_reschedule,
    procedure_request_update,
)

# The name of the submit button that shows the form again with what was typed (e.g. the wards of a new province).
REFRESH = "_refresh"
MSG_START_AGAIN = _("Please fill in the form first: we could not find your request on this phone.")


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


@method_decorator(never_cache, name="dispatch")
class RequestStartView(ProcedureJourneyMixin, TemplateView):
    """Step 1: the procedure's short form. Errors and "show the wards" never lose what was typed."""

    template_name = "procedures/request_form.html"

    def get(self, request, *args, **kwargs):
        draft = journey_current(request, slug=self.procedure.slug)
        initial = {"holder_name": draft.holder_name, "phone": draft.phone, **draft.data} if draft else {}
        return self.render_to_response(self.get_context_data(form=self.form_class(initial=initial)))

    def post(self, request, *args, **kwargs):
        if REFRESH in request.POST:
            form = self.form_class(initial=request.POST.dict())
            return self.render_to_response(self.get_context_data(form=form))
        form = self.form_class(data=request.POST)
        if form.is_valid():
            contact = {
                "holder_name": form.cleaned_data["holder_name"],
                "phone": str(form.cleaned_data["phone"]),
                "language": translation.get_language(),
                "data": form.to_data(),
            }
            draft = journey_current(request, slug=self.procedure.slug)
            try:
                if draft is None:
                    draft = procedure_request_create(procedure=self.procedure, **contact)
                else:
                    draft = procedure_request_update(request=draft, **contact)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                journey_remember(request, procedure_request=draft)
                return redirect("procedures:book", slug=self.procedure.slug)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(procedure=self.procedure, refresh=REFRESH, **kwargs)


class DraftJourneyMixin(ProcedureJourneyMixin):
    """Steps after the form: they need this browser's draft request, else they send the citizen back to step 1."""

    def dispatch(self, request, *args, **kwargs):
        if self.procedure is not None and self.form_class is not None:
            self.draft = journey_current(request, slug=self.procedure.slug)
            if self.draft is None and (done := journey_just_submitted(request, slug=self.procedure.slug)):
                return redirect(procedure_request_done_path(request=done))
            if self.draft is None:
                messages.info(request, MSG_START_AGAIN)
                return redirect("procedures:start", slug=self.procedure.slug)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class RequestBookView(DraftJourneyMixin, TemplateView):
    """Step 2: the appointments slot picker, limited to the units that handle this procedure."""

    template_name = "procedures/request_book.html"

    def get(self, request, *args, **kwargs):
        picker = SlotPickerForm(procedure=self.procedure, query=request.GET, action=request.path)
        return self.render_to_response(self.get_context_data(picker=picker))

    def post(self, request, *args, **kwargs):
        picker = SlotPickerForm(request.POST, procedure=self.procedure, query=request.GET, action=request.path)
        if picker.is_valid():
            try:
                procedure_request_hold(
                    request=self.draft,
                    unit=picker.cleaned_data["unit"],
                    starts_at=picker.cleaned_data["starts_at"],
                    holder_key=_holder_key(request),
                )
            except ValidationError as exc:
                picker.add_service_error(exc)
            else:
                return redirect("procedures:confirm", slug=self.procedure.slug)
        return self.render_to_response(self.get_context_data(picker=picker))

    def get_context_data(self, **kwargs):
        return super().get_context_data(procedure=self.procedure, draft=self.draft, **kwargs)


def _holder_key(request) -> str:
    """The browser session: one held place per procedure and browser (a new pick releases the previous one)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


OTP_PURPOSE = "procedure-booking"
FAMILY_CONFIRMATION_WINDOW = timedelta(minutes=30)
SESSION_CHALLENGE = "procedures:otp"
MSG_CODE_SENT = _("We sent a confirmation code to %(phone)s.")
MSG_ASK_FOR_CODE = _("Ask for a confirmation code first.")
MSG_HOLD_LOST = _("The time you chose is no longer kept for you. Please choose a time again.")


@method_decorator(never_cache, name="dispatch")
class RequestConfirmView(DraftJourneyMixin, TemplateView):
    """Step 3: check the summary, get a confirmation code by SMS/Zalo, type it in: the visit is booked."""

    template_name = "procedures/request_confirm.html"

    def _held(self) -> bool:
        appointment = self.draft.appointment
        return appointment is not None and appointment.status == AppointmentStatus.HELD

    def _challenge(self):
        # Only a code sent to the request's current number counts (the citizen may have changed it since).
        state = self.request.session.get(SESSION_CHALLENGE, {})
        challenge_id = state.get(str(self.draft.pk))
        own = (
            OtpChallenge.objects.filter(pk=challenge_id, phone=str(self.draft.phone)).first() if challenge_id else None
        )
        if own is not None and own.verified_at is not None:
            return own
        # Families (issue 12.13): a parent who confirmed this number in this browser a short while ago, for a
        # child's filing, needs no second code (and waits for no cooldown); limits per phone still apply.
        family = (
            OtpChallenge.objects.filter(
                pk__in=list(state.values()),
                phone=str(self.draft.phone),
                verified_at__gte=timezone.now() - FAMILY_CONFIRMATION_WINDOW,
            )
            .order_by("-verified_at")
            .first()
        )
        return family or own

    def _choose_again(self):
        if self.draft.appointment is not None:
            messages.warning(self.request, MSG_HOLD_LOST)
        return redirect("procedures:book", slug=self.procedure.slug)

    def get(self, request, *args, **kwargs):
        if not self._held():
            return self._choose_again()
        return self.render_to_response(self.get_context_data(form=ConfirmCodeForm()))

    def post(self, request, *args, **kwargs):
        if not self._held():
            return self._choose_again()
        if request.POST.get("action") == "send":
            return self._send()
        challenge = self._challenge()
        # A phone confirmed once stays confirmed for this request (e.g. when the held time was lost and the
        # citizen chose another): no second code.
        if challenge is None or challenge.verified_at is None:
            form = ConfirmCodeForm(request.POST)
            if form.is_valid():
                if challenge is None:
                    form.add_error("code", MSG_ASK_FOR_CODE)
                else:
                    try:
                        otp_verify(challenge=challenge, code=form.cleaned_data["code"])
                    except ValidationError as exc:
                        form.add_error("code", exc)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(form=form))
        try:
            procedure_request_confirm(request=self.draft)
        except ValidationError as exc:
            # The held time was lost meanwhile (expired and taken): choose again, the details are kept.
            for message in exc.messages:
                messages.error(request, message)
            return redirect("procedures:book", slug=self.procedure.slug)
        journey_forget(request, slug=self.procedure.slug)
        return redirect(procedure_request_done_path(request=self.draft))

    def _send(self):
        try:
            challenge = otp_issue(
                phone=str(self.draft.phone),
                purpose=OTP_PURPOSE,
                language=translation.get_language(),
                client=client_address(self.request),
            )
        except ValidationError as exc:
            form = ConfirmCodeForm()
            return self.render_to_response(self.get_context_data(form=form, send_errors=exc.messages))
        state = dict(self.request.session.get(SESSION_CHALLENGE, {}))
        state[str(self.draft.pk)] = str(challenge.pk)
        self.request.session[SESSION_CHALLENGE] = state
        messages.info(self.request, MSG_CODE_SENT % {"phone": phone_display(self.draft.phone)})
        return redirect("procedures:confirm", slug=self.procedure.slug)

    def get_context_data(self, **kwargs):
        challenge = self._challenge()
        return super().get_context_data(
            procedure=self.procedure,
            draft=self.draft,
            appointment=self.draft.appointment,
            details=self.form_class.describe(self.draft.data),
            code_sent=challenge is not None,
            phone_confirmed=challenge is not None and challenge.verified_at is not None,
            phone=phone_display(self.draft.phone),
            **kwargs,
        )


def phone_display(phone) -> str:
    """+84901234567 as the citizen writes it: 0901 234 567."""
    return phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.NATIONAL) if phone else ""


class RequestDoneMixin:
    """The done page and its files, found by a signed token of the request's code (not guessable)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.procedure_request = procedure_request_from_token(slug=kwargs["slug"], token=kwargs["token"])

    def dispatch(self, request, *args, **kwargs):
        if self.procedure_request is None:
            raise Http404
        obj = self.procedure_request
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
        obj = self.procedure_request
        form_class = form_class_for(obj.procedure.slug)
        return super().get_context_data(
            procedure_request=obj,
            procedure=obj.procedure,
            appointment=obj.appointment,
            code_display=code_format(obj.code),
            details=form_class.describe(obj.data) if form_class else [],
            reason=procedure_request_last_reason(request=obj) if obj.status != RequestStatus.SUBMITTED else "",
            can_change=procedure_request_can_change(request=obj),
            **kwargs,
        )


class RequestQrView(RequestDoneMixin, View):
    def get(self, request, *args, **kwargs):
        if self.procedure_request.status == RequestStatus.CANCELLED:
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        # The same QR as the identity card's: a signed token of the code, which check-in scans.
        data = outputs.qr_png(qr_token(self.procedure_request.code), box=5)
        response = HttpResponse(data, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class RequestCalendarView(RequestDoneMixin, View):
    def get(self, request, *args, **kwargs):
        if self.procedure_request.status == RequestStatus.CANCELLED:
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        obj, appointment = self.procedure_request, self.procedure_request.appointment
        if appointment is None:
            raise Http404
        event = outputs.ics_build(
            uid=f"{obj.code}@{request.get_host()}",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            summary=f"{obj.procedure.display_name} ({code_format(obj.code)})",
            location=f"{appointment.unit.display_name}, {appointment.unit.display_address}",
            description=_("Bring the documents listed on the procedure's page."),
            url=request.build_absolute_uri(obj.procedure.get_absolute_url()),
        )
        response = HttpResponse(event, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="lich-hen-{obj.code}.ics"'
        return response


class RequestSlipView(RequestDoneMixin, View):
    """The booking as one image a citizen can long-press to save (Zalo's browser often cannot download files)."""

    def get(self, request, *args, **kwargs):
        if self.procedure_request.status == RequestStatus.CANCELLED:
            raise Http404  # a cancelled booking's QR, slip and calendar file are no longer offered
        obj, appointment = self.procedure_request, self.procedure_request.appointment
        lines = [(pgettext("procedure booking", "Name"), obj.holder_name)]
        if appointment is not None:
            unit, starts_at = appointment.unit, timezone.localtime(appointment.starts_at)
            lines += [
                (pgettext("procedure booking", "Place"), f"{unit.display_name}, {unit.display_address}"),
                (pgettext("procedure booking", "Date and time"), f"{starts_at:%H:%M %d/%m/%Y}"),
            ]
        data = outputs.slip_png(
            title=obj.procedure.display_name,
            code=code_format(obj.code),
            lines=lines,
            qr_data=qr_token(obj.code),
            footer=settings.SITE_URL + obj.procedure.get_absolute_url(),
        )
        response = HttpResponse(data, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


MSG_MOVED = _("Your visit has been moved. We sent the new time to your phone.")
MSG_CANCELLED = _("Your booking is cancelled. The time is free for someone else.")


class ChangeBookingMixin(RequestDoneMixin):
    """Moving or cancelling from the done page (its address is the citizen's key: it came by SMS/Zalo)."""

    def dispatch(self, request, *args, **kwargs):
        if self.procedure_request is not None and not procedure_request_can_change(request=self.procedure_request):
            messages.error(request, CANNOT_CHANGE_BOOKING)
            return redirect(self.done_url())
        return super().dispatch(request, *args, **kwargs)

    def done_url(self) -> str:
        return procedure_request_done_path(request=self.procedure_request)

    def get_context_data(self, **kwargs):
        obj = self.procedure_request
        return super().get_context_data(
            procedure_request=obj,
            procedure=obj.procedure,
            appointment=obj.appointment,
            done_url=self.done_url(),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class RequestMoveView(ChangeBookingMixin, TemplateView):
    template_name = "procedures/request_move.html"

    def get(self, request, *args, **kwargs):
        picker = SlotPickerForm(procedure=self.procedure_request.procedure, query=request.GET, action=request.path)
        return self.render_to_response(self.get_context_data(picker=picker))

    def post(self, request, *args, **kwargs):
        picker = SlotPickerForm(
            request.POST, procedure=self.procedure_request.procedure, query=request.GET, action=request.path
        )
        if picker.is_valid():
            try:
                procedure_request_reschedule(
                    request=self.procedure_request,
                    unit=picker.cleaned_data["unit"],
                    starts_at=picker.cleaned_data["starts_at"],
                )
            except ValidationError as exc:
                picker.add_service_error(exc)
            else:
                messages.success(request, MSG_MOVED)
                return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(picker=picker))


@method_decorator(never_cache, name="dispatch")
class RequestCancelView(ChangeBookingMixin, TemplateView):
    """GET asks to confirm; POST cancels."""

    template_name = "procedures/request_cancel.html"

    def post(self, request, *args, **kwargs):
        try:
            procedure_request_cancel(request=self.procedure_request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, MSG_CANCELLED)
        return redirect(self.done_url())
