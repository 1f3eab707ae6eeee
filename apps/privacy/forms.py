from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.forms.widgets import FastCheckbox

from .services.notices import privacy_notice_current

MSG_NOTICE_REQUIRED = _("Tick the box to accept the notice: the request cannot be made without it.")
MSG_DECLARATION_REQUIRED = _("Tick the box to make the declaration.")
MSG_DECLARATION_LABEL = _("I declare that the information I give is true.")
MSG_SENSITIVE_LABEL = _("I agree to the processing of my sensitive data (ethnicity, religion, blood group).")
MSG_SENSITIVE_HELP = _(
    "Not required. If you leave it unticked, your ethnic group, religion and blood group are not asked here: the "
    "officer fills them in with you at the counter, from your papers."
)


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


def subject_correct_form_class(*, model, fields: tuple[str, ...]) -> type[forms.ModelForm]:
    """The correction form of one kind of record: its correctable fields, and the reason (recorded with them)."""

    class SubjectCorrectForm(forms.ModelForm):  # model and fields given by modelform_factory
        reason = forms.CharField(
            label=_("Reason"),
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("The citizen's request and its reference, and the document that shows the right value."),
        )

    return forms.models.modelform_factory(model, form=SubjectCorrectForm, fields=fields)


class NoticeCheckbox(FastCheckbox):
    """The notice's box: its value is the version of the notice shown, so the draft keeps the version accepted."""

    version = 1

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.update(type="checkbox", name=name, value=str(self.version))
        if value not in (None, "", False):
            final_attrs["checked"] = True
        return format_html("<input{}>", flatatt(final_attrs))

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


class NoticeVersionField(forms.Field):
    """Ticked: the version of the notice the citizen accepted (an int); not ticked: the "required" error."""

    widget = NoticeCheckbox
    default_error_messages = {
        "required": MSG_NOTICE_REQUIRED,
        "invalid": MSG_NOTICE_REQUIRED,
    }

    def __init__(self, *, latest: int = 1, **kwargs):
        self.latest = latest
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value)
        # An old draft posted "on"/"1": version 1 is the first one shipped (migration privacy.0003).
        number = int(text) if text.isdigit() else (1 if text in ("on", "True", "true") else 0)
        if not 1 <= number <= self.latest:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class NoticeConsentMixin(forms.Form):
    """The first step's notice and consent, for any journey's first form (see privacy/includes/_consent.html).

    `accept_notice` is the version of the notice accepted (apps.privacy.models.PrivacyNotice), recorded with the
    filing. `CONSENT_SENSITIVE` adds the separate consent for a form that asks for ethnicity, religion or blood group
    (not required: refusing it means those items are left for the counter); `CONSENT_DECLARATION` adds the paper
    form's "Tôi xin cam đoan…" statement. Labels are the notice's own text (the district edits them in admin)."""

    CONSENT_FIELDS: ClassVar[tuple[str, ...]] = ("accept_notice", "accept_sensitive", "accept_declaration")
    CONSENT_SENSITIVE: ClassVar[bool] = False
    CONSENT_DECLARATION: ClassVar[bool] = False

    accept_notice = NoticeVersionField(
        label=_("I have read the notice on the processing of my personal data and agree to it."),
    )

    def __init__(self, *args, consent: bool = True, **kwargs):
        """`consent=False`: the same form without the boxes (a filing already made, corrected by the citizen)."""
        super().__init__(*args, **kwargs)
        if not consent:
            del self.fields["accept_notice"]
            return
        notice = privacy_notice_current()
        self.notice = notice
        version = notice.version if notice else 1
        language = get_language() or "vi"
        field = self.fields["accept_notice"]
        field.latest = version
        field.widget.version = version
        # The rendered HTML of an unbound field is kept per form, field and language (apps.core.forms.journey):
        # the notice's version is part of that key, so a new version shows its own box and labels.
        field.widget.options_key = f"privacy-notice:{version}"
        if notice is None:
            field.required = False
        if self.CONSENT_SENSITIVE:
            self.fields["accept_sensitive"] = forms.BooleanField(
                label=notice.localized("sensitive_consent", language) if notice else MSG_SENSITIVE_LABEL,
                required=False,
                help_text=MSG_SENSITIVE_HELP,
                widget=FastCheckbox(attrs={"class": "form-check-input"}),
            )
            self.fields["accept_sensitive"].widget.options_key = f"privacy-notice:{version}"
        if self.CONSENT_DECLARATION:
            self.fields["accept_declaration"] = forms.BooleanField(
                label=notice.localized("declaration", language) if notice else MSG_DECLARATION_LABEL,
                error_messages={"required": MSG_DECLARATION_REQUIRED},
                widget=FastCheckbox(attrs={"class": "form-check-input"}),
            )
            self.fields["accept_declaration"].widget.options_key = f"privacy-notice:{version}"
        for name in self.CONSENT_FIELDS:  # after the form's own fields, whatever the order of the base classes
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)
        if hasattr(self, "_prepare_fields"):  # a journey form (apps.core.forms.journey): the lean field template
            self._prepare_fields()

    def main_fields(self) -> list:
        """The form's own fields, without the consent boxes (shown after the notice)."""
        return [field for field in self if field.name not in self.CONSENT_FIELDS]

    def consent_fields(self) -> list:
        return [field for field in self if field.name in self.CONSENT_FIELDS]

    @property
    def notice_version(self) -> int | None:
        return self.cleaned_data.get("accept_notice")

    @property
    def sensitive_consent(self) -> bool | None:
        """True or False where the form asks for it, None where it does not."""
        return bool(self.cleaned_data.get("accept_sensitive")) if self.CONSENT_SENSITIVE else None
