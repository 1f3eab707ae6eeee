from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_is_valid, code_normalize

from .models import MessageTemplate
from .services.phones import phone_normalize
from .templating import PLACEHOLDERS, placeholders_in

INVALID_CHECK_CODE = _(
    "This is not a code from our messages: check the letters and digits (there is no letter O or I)."
)
UNKNOWN_PLACEHOLDER = _("This kind of message has no placeholder {%(name)s}. Available: %(available)s.")
BAD_BRACES = _("Braces must come in pairs around a placeholder name, e.g. {code}.")


class CheckMessageForm(forms.Form):
    code = forms.CharField(
        label=_("Code in the message"),
        max_length=20,
        help_text=_("The filing code or the report's tracking code written in the message, e.g. K7MX-3PQ9-R."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone number that received it"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_code(self) -> str:
        code = code_normalize(self.cleaned_data["code"])
        if not code_is_valid(code):
            raise ValidationError(INVALID_CHECK_CODE, code="invalid")
        return code

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        return phone_normalize(raw) if raw else ""


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("kind", "language", "subject", "body", "zns_template_id")
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        available = PLACEHOLDERS.get(kind, ())
        for field in ("subject", "body"):
            text = cleaned.get(field) or ""
            try:
                names = placeholders_in(text)
            except ValueError:
                self.add_error(field, ValidationError(BAD_BRACES, code="braces"))
                continue
            for name in names:
                if name not in available:
                    self.add_error(
                        field,
                        ValidationError(
                            UNKNOWN_PLACEHOLDER,
                            code="placeholder",
                            params={"name": name, "available": ", ".join(f"{{{n}}}" for n in available)},
                        ),
                    )
                    break
        return cleaned
