"""Officers' sign-in: a second factor (TOTP, django-otp) for every role that sees personal data, and sessions
that end after a working day without activity.

* The admin's sign-in form asks for the 6-digit code of the officer's authenticator app next to the password.
  An officer whose roles need a second factor and who has no confirmed device yet signs in with the password
  only and can then do nothing but enrol one (`second_factor_setup_view`: a QR code to scan, then a first code).
* A session not verified by a device is sent to that page (or, if the officer has a device, back to sign-in)
  by `SecondFactorMiddleware`, whatever admin page it asks for.
* Officers' sessions last `BACKOFFICE_SESSION_IDLE_SECONDS` from their last request (a working day); citizens'
  sessions are unchanged.
"""

import time

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles

CODE_REQUIRED = _("Enter the 6-digit code shown by your authenticator app.")
CODE_WRONG = _("This code is not right or has expired. Enter the code your authenticator app shows now.")
SEEN_KEY = "backoffice_seen"
TOUCH_EVERY_SECONDS = 300


def officer_needs_second_factor(user) -> bool:
    """Superusers and every role that sees citizens' personal data need a second factor (roles.py)."""
    if not user.is_authenticated or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles.PERSONAL_DATA_ROLES).exists()


class OfficerAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code from the authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("6 digits; not needed before you have set up the app."),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not user_has_device(user):
            return cleaned  # no device yet: signed in only to enrol one (SecondFactorMiddleware)
        token = "".join((self.cleaned_data.get("otp_token") or "").split())
        if not token:
            raise ValidationError(CODE_REQUIRED, code="otp_required")
        device = match_token(user, token)
        if device is None:
            raise ValidationError(CODE_WRONG, code="otp_wrong")
        user.otp_device = device  # django_otp keeps it in the session on login
        return cleaned


@receiver(user_logged_in, dispatch_uid="backoffice_session_idle")
def _officer_signed_in(sender, request, user, **kwargs):
    if request is not None and user.is_staff:
        request.session.set_expiry(settings.BACKOFFICE_SESSION_IDLE_SECONDS)
        request.session[SEEN_KEY] = int(time.time())


def _admin_prefixes() -> tuple[str, ...]:
    return (f"/{settings.ADMIN_URL}", f"/en/{settings.ADMIN_URL}")


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware. Only officers' requests to the back office are looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(_admin_prefixes()) and request.user.is_authenticated and request.user.is_staff:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        # Keep an active officer's session alive (set_expiry counts from the last save), at most every 5 minutes.
        if now - session.get(SEEN_KEY, 0) > TOUCH_EVERY_SECONDS:
            session[SEEN_KEY] = now
            session.set_expiry(settings.BACKOFFICE_SESSION_IDLE_SECONDS)
        user = request.user
        if user.is_verified() or not officer_needs_second_factor(user):
            return None
        setup = reverse("backoffice:second-factor-setup")
        allowed = (setup, reverse("admin:logout"), reverse("admin:login"), reverse("admin:jsi18n"))
        if request.path in allowed:
            return None
        if user_has_device(user):
            logout(request)  # a session from before the device, or not verified: sign in again with the code
            return redirect(f"{reverse('admin:login')}?next={request.path}")
        return redirect(setup)


def second_factor_device_for_setup(*, user) -> TOTPDevice:
    """The officer's device being set up (unconfirmed until a first code is entered)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)


def second_factor_confirm(*, user, token: str) -> TOTPDevice:
    """Confirm the device being set up with a first code; raises ValidationError when the code is wrong."""
    if any(True for _ in devices_for_user(user, confirmed=True)):
        raise ValidationError(CODE_WRONG, code="already_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    token = "".join(token.split())
    if device is None or not token or not device.verify_token(token):
        raise ValidationError(CODE_WRONG, code="otp_wrong")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device


def admin_site_setup() -> None:
    admin.site.login_form = OfficerAuthenticationForm
    admin.site.login_template = "backoffice/login.html"


class SecondFactorSetupForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def second_factor_setup_view(request):
    """Set up the authenticator app: scan the QR code (or type the key), then enter the first code it shows."""
    from django.shortcuts import render
    from django.utils.safestring import mark_safe
    from django_otp import login as otp_login

    from apps.filings.outputs import qr_svg

    if request.user.is_verified() or user_has_device(request.user):
        return redirect("admin:index")
    device = second_factor_device_for_setup(user=request.user)
    form = SecondFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_confirm(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            otp_login(request, device)
            return redirect("admin:index")
    svg = qr_svg(device.config_url).decode()
    context = {
        **admin.site.each_context(request),
        "title": _("Set up sign-in with a code"),
        "form": form,
        "qr_svg": mark_safe(svg[svg.index("<svg") :]),  # noqa: S308 - made here by qrcode from our own URL
        "secret": _base32(device.bin_key),
    }
    return render(request, "backoffice/second_factor_setup.html", context)


def _base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
