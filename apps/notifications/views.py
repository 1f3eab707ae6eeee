from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from apps.core.ratelimit import client_address, client_fingerprint, lockout_fail, lockout_is_locked, rate_limit_hit

from .forms import CheckMessageForm
from .selectors import notification_verify, outbox_message_list

TOO_MANY_CHECKS = _("You have checked many codes in a short time. Please wait ten minutes and try again.")
CODE_LOCKED = _(
    "This code was checked with a wrong phone number too many times. For safety, checking it is locked for "
    "%(minutes)s minutes."
)


class DevOutboxView(TemplateView):
    """The embedded default's "phone": messages that would have been sent. Only with DEBUG on."""

    template_name = "notifications/dev_outbox.html"

    def dispatch(self, request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "outbox_messages": outbox_message_list()}


class CheckMessageView(FormView):
    """/kiem-tra-tin-nhan/: "Is this message really from the police?" Says only whether, when, and what kind."""

    template_name = "notifications/check_message.html"
    form_class = CheckMessageForm

    def form_valid(self, form):
        limit, window = settings.NOTIFICATIONS_CHECK_PER_CLIENT
        key = f"check:{client_fingerprint(client_address(self.request))}"
        if not rate_limit_hit(key=key, limit=limit, window=window):
            form.add_error(None, TOO_MANY_CHECKS)
            return self.form_invalid(form)
        # As at the lookup (issue 12.4): wrong phone numbers are counted per code, whatever the address, so a code
        # seen on someone's slip cannot be used to find their number by trying numbers from many addresses.
        code_key = f"check-code:{form.cleaned_data['code']}"
        minutes = settings.LOOKUP_CODE_LOCK_MINUTES
        if lockout_is_locked(key=code_key, limit=settings.LOOKUP_CODE_MAX_FAILURES):
            form.add_error(None, CODE_LOCKED % {"minutes": minutes})
            return self.form_invalid(form)
        found = notification_verify(code=form.cleaned_data["code"], phone=form.cleaned_data["phone"])
        if found is None:
            lockout_fail(key=code_key, window=minutes * 60)
        return self.render_to_response(self.get_context_data(form=form, checked=True, found=found))
