from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from apps.core.forms.widgets import FastCheckbox, FastInput, FastSelect, flatatt
from apps.news.images import image_validate
from apps.units.models import PoliceUnit, UnitKind
from apps.units.selectors import unit_directory_version

from .models import ReportCategory

PHONE_OR_ANONYMOUS = _("Enter your phone number, or tick “Report anonymously”.")
TOO_MANY_PHOTOS = _("You can send at most %(limit)d photos.")
IN_THE_FUTURE = _("This time is in the future. Enter when it happened.")
TOO_SHORT = _("Please describe what happened in a few more words.")
PHOTO_ERROR = _("“%(name)s”: %(error)s")
PHONE_INVALID = _("Enter a valid Vietnamese phone number, e.g. 0912 345 678.")


NOTICE_REQUIRED = _("Tick the box to accept the notice, or report anonymously.")


class ReportBoundField(BoundField):
    """A field's block built in Python (a template include per field cost more than the rest of the page): the
    label (a legend for the radios, after the box for the checkbox), the widget, help text, then each error with
    the id the widget's aria-describedby points to."""

    def as_report_field(self):
        input_type = getattr(self.field.widget, "input_type", "")  # a textarea has none
        if input_type == "checkbox":
            body = format_html(
                '<div class="form-check">{}<label class="form-check-label" for="{}">{}</label></div>',
                self.as_widget(),
                self.id_for_label,
                self.label,
            )
        elif input_type == "radio":
            radios = format_html_join(
                "",
                '<div class="form-check"><input type="{}" name="{}" value="{}"{}>'
                '<label class="form-check-label" for="{}">{}</label></div>',
                (
                    (
                        radio.data["type"],
                        radio.data["name"],
                        radio.data["value"],
                        flatatt(radio.data["attrs"]),
                        radio.id_for_label,
                        radio.choice_label,
                    )  # fmt: skip
                    for radio in self
                ),
            )
            body = format_html(
                '<fieldset><legend class="form-label fs-6 fw-semibold">{}</legend>{}</fieldset>', self.label, radios
            )
        else:
            body = format_html(
                '<label class="form-label fw-semibold" for="{}">{}</label>{}',
                self.id_for_label,
                self.label,
                self.as_widget(),
            )
        help_html = (
            format_html('<div class="form-text" id="{}_helptext">{}</div>', self.auto_id, self.help_text)
            if self.help_text
            else ""
        )
        errors = format_html_join(
            "",
            '<div class="invalid-feedback d-block" id="{}_error_{}">{}</div>',
            ((self.auto_id, number, error) for number, error in enumerate(self.errors, 1)),
        )
        css = mark_safe("mb-3 has-error" if self.errors else "mb-3")  # noqa: S308
        return format_html('<div class="{}">{}{}{}</div>', css, body, help_html, errors)


class ReportFieldsForm(forms.Form):
    bound_field_class = ReportBoundField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class FastDateTimeInput(FastInput, forms.DateTimeInput):
    """<input type="datetime-local"> built in Python, like the other inputs of the form."""


class ReportForm(ReportFieldsForm):
    # The inputs, the select and the checkbox are built in Python (apps.core.forms.widgets): Django's templates
    # per widget and per <option> were most of the page's rendering time.
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[(c.value, c.label) for c in (ReportCategory.CRIME, ReportCategory.SECURITY, ReportCategory.FEEDBACK)],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control", "maxlength": 4000}),
        help_text=_("Who, what, how. Do not write passwords or bank details."),
    )
    unit = UnitChoiceField(
        label=_("Ward where it happened"),
        queryset=PoliceUnit.objects.none(),
        required=False,
        empty_label=_("I don't know (the district police will forward it)"),
        widget=FastSelect(attrs={"class": "form-select"}),
    )
    address = forms.CharField(
        label=_("Address or place"),
        max_length=300,
        required=False,
        widget=FastInput(attrs={"class": "form-control", "autocomplete": "street-address"}),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
        widget=FastDateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty if you are not sure."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos, 5 MB each. Location and camera details are removed from them."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        widget=FastCheckbox(attrs={"class": "form-check-input"}),
        help_text=_("We will not keep your name or phone number. You can only follow the status of the report."),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        widget=FastInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    contact_phone = PhoneNumberField(
        label=_("Your phone number"),
        region="VN",
        required=False,
        widget=FastInput(attrs={"class": "form-control", "type": "tel", "autocomplete": "tel"}),
        error_messages={"invalid": PHONE_INVALID},
        help_text=_("To send you a confirmation code and the answer. Not needed for an anonymous report."),
    )
    accept_notice = forms.BooleanField(
        label=_("I have read the notice on the processing of my personal data and agree to it."),
        required=False,
        widget=FastCheckbox(attrs={"class": "form-check-input"}),
        help_text=_("Needed when you give your phone number; not for an anonymous report."),
    )
    # Left empty by people; bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"), widget=FastInput(
        attrs={"tabindex": "-1", "autocomplete": "off"}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = PoliceUnit.objects.filter(
            is_active=True, kind__in=[UnitKind.WARD, UnitKind.DISTRICT]
        ).order_by("order", "name")
        # The options are listed once per language and version of the units (which every edit of a unit bumps),
        # so showing the form costs no query; a submitted choice is still checked against the queryset.
        self.fields["unit"].widget.choices = self._unit_options()

    def _unit_options(self) -> list[tuple[str, str]]:
        key = f"reports:unit-options:{unit_directory_version()}:{get_language()}"
        options = cache.get(key)
        if options is None:
            options = [(str(value), str(label)) for value, label in self.fields["unit"].choices]
            cache.set(key, options, 3600)
        return options

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if len(description) < 10:
            raise ValidationError(TOO_SHORT, code="too_short")
        return description

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        if value and value > timezone.now() + timedelta(minutes=5):
            raise ValidationError(IN_THE_FUTURE, code="future")
        return value

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        limit = settings.REPORTS_PHOTO_MAX_COUNT
        if len(photos) > limit:
            raise ValidationError(TOO_MANY_PHOTOS, code="too_many", params={"limit": limit})
        errors = []
        for photo in photos:
            try:
                image_validate(upload=photo, max_bytes=settings.REPORTS_PHOTO_MAX_BYTES)
            except ValidationError as exc:
                errors.append(
                    ValidationError(PHOTO_ERROR, code=exc.code, params={"name": photo.name, "error": exc.messages[0]})
                )
        if errors:
            raise ValidationError(errors)
        return photos

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("Your report could not be sent."), code="bot")
        if cleaned.get("is_anonymous"):
            cleaned["contact_name"], cleaned["contact_phone"] = "", ""
        else:
            if not cleaned.get("contact_phone") and "contact_phone" not in self.errors:
                self.add_error("contact_phone", ValidationError(PHONE_OR_ANONYMOUS, code="phone_required"))
            if not cleaned.get("accept_notice"):
                self.add_error("accept_notice", ValidationError(NOTICE_REQUIRED, code="notice_required"))
        return cleaned


class ConfirmForm(ReportFieldsForm):
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12}
        ),
        help_text=_("The 6 digits sent to your phone by Zalo or SMS."),
    )


class StatusForm(ReportFieldsForm):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone = PhoneNumberField(
        label=_("Phone number you gave"),
        region="VN",
        required=False,
        error_messages={"invalid": PHONE_INVALID},
        widget=forms.TextInput(attrs={"class": "form-control", "type": "tel", "autocomplete": "tel"}),
        help_text=_("Not needed for an anonymous report."),
    )
