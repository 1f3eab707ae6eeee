from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_is_valid, code_normalize
from apps.core.forms.journey import DayMonthYearField, JourneyForm, VietnameseMobileField
from apps.core.forms.widgets import FastInput

from .services import MSG_REASON_REQUIRED

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


class FilingMoveForm(forms.Form):
    """An officer's move of a filing: the target among the moves the table allows, and the reason the citizen
    reads (required for the moves marked `reason_required`: returning for correction, cancelling)."""

    target = forms.ChoiceField(label=_("New state"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when returning for correction or cancelling. The citizen reads it in the message and at "
            "the lookup, e.g. “The portrait photo is blurred: send a clear one.”"
        ),
    )

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.moves = {m.target: m for m in moves}
        self.fields["target"].choices = [(m.target, m.label) for m in moves]

    def clean_reason(self):
        return (self.cleaned_data.get("reason") or "").strip()

    def clean(self):
        cleaned = super().clean()
        move = self.moves.get(cleaned.get("target"))
        if move is not None and move.reason_required and not cleaned.get("reason"):
            self.add_error("reason", ValidationError(MSG_REASON_REQUIRED, code="reason_required"))
        return cleaned
