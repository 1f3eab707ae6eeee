"""The form machinery every citizen journey shares (the identity card's steps, every procedure's form, the
lookup): fields rendered by one lean template with Python-built widgets (see widgets.py), specific Vietnamese
messages instead of Django's stock ones, errors shown next to the field and in one summary
(templates/includes/_error_summary.html)."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from .widgets import FastCheckbox, FastInput, FastSelect

MSG_REQUIRED = _("Please fill in this item.")
MSG_CHOOSE = _("Please choose one.")
MSG_DATE_INVALID = _("Enter a real date as day/month/year, for example 05/09/1990.")
MSG_PHONE_INVALID = _("Enter a Vietnamese mobile number, for example 0912 345 678.")
MSG_PHONE_NOT_MOBILE = _("This is a landline number. Enter a mobile number that can receive text messages.")


class DayMonthYearField(forms.DateField):
    input_formats = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y"]
    default_error_messages = {"invalid": MSG_DATE_INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", FastInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "text"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())
        return super().to_python(value)


class VietnameseMobileField(PhoneNumberField):
    default_error_messages = {"invalid": MSG_PHONE_INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", FastInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(region="VN", **kwargs)
        self.error_messages["invalid"] = MSG_PHONE_INVALID

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if not value.is_valid() or value.country_code != 84:
            raise ValidationError(MSG_PHONE_INVALID, code="invalid")
        if phonenumbers.number_type(value) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError(MSG_PHONE_NOT_MOBILE, code="not_mobile")


class ChoiceField(forms.ChoiceField):
    """A ChoiceField whose (immutable, module-level) choices are shared between form instances, not deep-copied
    for each form: copying the long official lists was a noticeable part of each journey page's cost."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


_FIELD_HTML_CACHE: dict[tuple, str] = {}


class JourneyBoundField(BoundField):
    """Prepares, in Python and once per field, the pieces the lean field template puts together (label or legend,
    help text, errors when they are to be shown): a template lookup costs more than building these strings."""

    @cached_property
    def _parts(self) -> tuple[str, str, str, str, str]:
        field = self.field
        show = self.form.show_errors and bool(self.errors)
        auto_id = self.auto_id
        help_html = (
            format_html('<div class="form-text mt-0 mb-1" id="{}_helptext">{}</div>', auto_id, field.help_text)
            if field.help_text
            else ""
        )
        errors_html = (
            format_html(
                '<div class="j-error" id="{}_error">{}</div>',
                auto_id,
                format_html_join("", "<p>{}</p>", ((e,) for e in self.errors)),
            )
            if show
            else ""
        )
        if self.use_fieldset:
            opening = format_html('<fieldset><legend class="form-label fs-6 fw-semibold">{}</legend>', self.label)
            return opening, help_html, errors_html, self.as_widget(), mark_safe("</fieldset>")
        if getattr(field, "is_checkbox", False):
            opening = format_html(
                '<div class="form-check">{}<label class="form-check-label" for="{}">{}</label></div>',
                self.as_widget(),
                self.id_for_label,
                self.label,
            )
            return opening, help_html, errors_html, "", ""
        opening = format_html(
            '<label class="form-label fw-semibold" for="{}">{}</label>', self.id_for_label, self.label
        )
        return opening, help_html, errors_html, self.as_widget(), ""

    @property
    def inner_html(self):
        """Everything inside the field's wrapper, then what the form puts after it (a button, a sub-heading).

        A field of an empty (unbound) form looks the same for every citizen: its HTML is kept per language, so a
        first visit, the journey's most frequent page view, renders no widget at all.
        """
        key = None
        if not self.form.is_bound and not self.form._errors:  # not an empty form showing kept errors
            widget = self.field.widget
            key = (
                type(self.form).__qualname__,
                self.html_name,
                get_language(),
                self.field.required,
                repr(self.value()),
                getattr(widget, "options_key", None),
                tuple(sorted(self.form.after_field)),
            )
            cached = _FIELD_HTML_CACHE.get(key)
            if cached is not None:
                return cached
        after = self.form.after_field.get(self.name, "")
        html = mark_safe("".join((*self._parts, after)))  # noqa: S308 (each part is built with format_html)
        if key is not None:
            if len(_FIELD_HTML_CACHE) > 5000:
                _FIELD_HTML_CACHE.clear()
            _FIELD_HTML_CACHE[key] = html
        return html

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if not self.form.show_errors:
            attrs.pop("aria-invalid", None)
        elif self.errors and self.auto_id:
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {self.auto_id}_error".strip()
        return attrs


class JourneyForm(forms.Form):
    """Base of every step: the lean field template, specific required messages, answers of earlier steps."""

    field_template = "core/forms/_field.html"
    template_name = "core/forms/_form_fields.html"
    bound_field_class = JourneyBoundField
    after_field: dict[str, str] = {}  # field name -> HTML shown after the field (built with format_html)

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.answers = answers or {}
        self.show_errors = True
        self._prepare_fields()

    def _prepare_fields(self) -> None:
        for field in self.fields.values():
            field.template_name = self.field_template
            if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                choice = isinstance(field, forms.ChoiceField)
                field.error_messages["required"] = MSG_CHOOSE if choice else MSG_REQUIRED
            widget = field.widget
            field.is_checkbox = isinstance(widget, FastCheckbox)
            if isinstance(widget, FastSelect):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, FastCheckbox):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, FastInput):
                widget.attrs.setdefault("class", "form-control")


class CodeForm(JourneyForm):
    """The 6-digit confirmation code sent to the phone (checked by notifications' otp_verify), for every journey."""

    code = forms.CharField(
        label=_("Confirmation code (6 digits)"),
        max_length=12,
        widget=FastInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
    )


# Errors kept across the redirect that ends every journey POST (issue 12.9), per page, in the session.
KEPT_ERRORS_KEY = "journey:errors"


def form_errors_keep(request, *, page: str, errors: dict) -> None:
    """Keep a form's errors ({field: [messages]}) for the page's next GET (the POST then redirects)."""
    kept = dict(request.session.get(KEPT_ERRORS_KEY, {}))
    kept[page] = {name: [str(message) for message in messages] for name, messages in errors.items()}
    request.session[KEPT_ERRORS_KEY] = kept


def form_errors_pop(request, *, page: str) -> dict:
    """The errors kept for this page, once (a reload shows the page without them)."""
    kept = request.session.get(KEPT_ERRORS_KEY)
    if not kept or page not in kept:
        return {}
    kept = dict(kept)
    errors = kept.pop(page)
    request.session[KEPT_ERRORS_KEY] = kept
    return errors


def form_show_errors(form: JourneyForm, errors: dict) -> JourneyForm:
    """An unbound journey form showing errors kept across a redirect next to their fields."""
    form._errors = ErrorDict({name: form.error_class(messages) for name, messages in errors.items()})
    form.show_errors = bool(errors)
    return form
