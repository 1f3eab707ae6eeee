from django import forms
from django.utils.translation import gettext_lazy as _


class SubjectRequestForm(forms.Form):
    query = forms.CharField(
        label=_("Personal ID number or mobile phone"),
        max_length=20,
        help_text=_("The 12-digit card number, or the phone number, as the citizen gave it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The citizen's request and its reference; recorded with your name."),
    )
    confirm_erase = forms.BooleanField(
        label=_("I have checked the citizen's identity and the request; erase everything listed."),
        required=False,
    )
