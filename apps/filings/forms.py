from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_is_valid, code_normalize
from apps.core.forms.journey import DayMonthYearField, JourneyForm, VietnameseMobileField
from apps.core.forms.widgets import FastInput

MSG_CODE_INVALID = _("Check the filing code: it has 9 letters and digits, for example K7MX-3PQ9-R.")
MSG_SECOND_FACTOR = _("Enter the phone number or the date of birth given in the filing.")


class LookupForm(JourneyForm):
    code = forms.CharField(
        label=_("Filing code"),
        max_length=20,
        widget=FastInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    phone = VietnameseMobileField(label=_("Mobile phone given in the filing"), required=False)
    birth_date = DayMonthYearField(label=_("or the date of birth"), required=False)

    def clean_code(self):
        code = code_normalize(self.cleaned_data["code"])
        if not code_is_valid(code):
            raise ValidationError(MSG_CODE_INVALID, code="code_invalid")
        return code

    def clean(self):
        data = super().clean()
        no_factor = not data.get("phone") and not data.get("birth_date")
        if no_factor and not self.has_error("phone") and not self.has_error("birth_date"):
            self.add_error("phone", ValidationError(MSG_SECOND_FACTOR, code="required"))
        return data
