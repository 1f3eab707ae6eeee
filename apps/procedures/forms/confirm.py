from django import forms
from django.utils.translation import gettext_lazy as _

from .base import ProcedureBoundField


class ConfirmCodeForm(forms.Form):
    """The 6-digit confirmation code sent to the citizen's phone (checked by notifications' otp_verify)."""

    bound_field_class = ProcedureBoundField

    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=12,
        help_text=_("The 6 digits in the message we sent you."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control form-control-lg"}
        ),
    )
