"""The base class of every procedure form (on the journeys' shared `JourneyForm`), and the fields several
procedures share."""

import re
from datetime import date
from typing import Any, ClassVar

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from apps.core.forms.journey import JourneyForm
from apps.core.forms.widgets import FastInput, FastSelect
from apps.core.names import NameLengthMixin, accents_confirm_check, accents_confirm_prepare
from apps.privacy.forms import NoticeConsentMixin

from . import validation

NAME_FORMAT = _("Write the full name in letters only, e.g. Nguyễn Văn An.")
PHONE_NOT_MOBILE = _("Enter a Vietnamese mobile number, e.g. 0901 234 567: the confirmation code is sent to it.")
DATE_IN_PAST = _("This date is in the past.")


class FastDateInput(FastInput, forms.DateInput):
    """<input type="date"> built in Python (the value as YYYY-MM-DD, what the browser's date picker expects)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})}, format="%Y-%m-%d")


class ChoiceField(forms.ChoiceField):
    """A select whose options are built in Python (Django renders one template per option)."""

    widget = FastSelect


class TypedChoiceField(forms.TypedChoiceField):
    widget = FastSelect


class CharField(forms.CharField):
    widget = FastInput


_NAME = re.compile(r"[^\W\d_]+(?:[ '\-.][^\W\d_]+)*")


def normalize_person_name(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not _NAME.fullmatch(value):
        raise ValidationError(NAME_FORMAT, code="name_format")
    return value


class PersonNameField(NameLengthMixin, CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_person_name(value) if value else value


class IdNumberField(CharField):
    """The 12-digit personal identification number (số định danh cá nhân)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Personal identification number"))
        kwargs.setdefault("help_text", _("12 digits, as on your identity card."))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        return validation.normalize_id_number(value) if value else value


class FutureDateField(forms.DateField):
    """A date that is today or later."""

    widget = FastDateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"])
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and value < timezone.localdate():
            raise ValidationError(DATE_IN_PAST, code="date_past")
        return value


class DateField(forms.DateField):
    widget = FastDateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"])
        super().__init__(**kwargs)


class ProcedureForm(NoticeConsentMixin, JourneyForm):
    """The short form a procedure asks for before booking, with the privacy notice, its consent and the declaration
    statement after the fields (the journey's first step; the filing records the notice's version).

    Every form has the holder's name and mobile number (columns of `Filing`); the other fields are the
    procedure's own and are stored, cleaned, in `Filing.answers`. Subclasses add fields and
    `clean_*`/`clean` checks and are registered with `@register("<procedure slug>")`.

    `id_number_field` names the field whose value goes on the appointment as the holder's ID number.
    `display_<field>(value)` methods turn a stored value into readable text for officers.
    """

    COMMON_FIELDS: ClassVar[tuple[str, ...]] = ("holder_name", "phone", *NoticeConsentMixin.CONSENT_FIELDS)
    CONSENT_DECLARATION = True
    # Stored with each filing (Filing.form_version): raise it when a change makes older answers read differently.
    version: ClassVar[int] = 1
    procedure_slug: ClassVar[str] = ""
    id_number_field: ClassVar[str | None] = None
    # A choice field whose change alters another field's choices: the page offers a button to show them.
    REFRESH_FIELD: ClassVar[str] = ""

    holder_name = PersonNameField(
        label=_("Full name"),
        help_text=_("As on your identity card or passport."),
        widget=FastInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneNumberField(
        region="VN",
        label=_("Mobile number"),
        help_text=_("We send the confirmation code and your booking to this number."),
        widget=FastInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"invalid": PHONE_NOT_MOBILE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accents_confirm_prepare(self, fields=("holder_name",))

    def clean(self):
        cleaned = super().clean()
        accents_confirm_check(self, cleaned, fields=("holder_name",))
        return cleaned

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and phonenumbers.number_type(phone) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError(PHONE_NOT_MOBILE, code="phone_not_mobile")
        if phone and phone.country_code != 84:
            raise ValidationError(PHONE_NOT_MOBILE, code="phone_not_vietnamese")
        return phone

    # --- What is stored, and how officers read it ----------------------------------------------------------------
    @classmethod
    def data_field_names(cls) -> list[str]:
        return [name for name in cls.base_fields if name not in cls.COMMON_FIELDS]

    def to_data(self) -> dict[str, Any]:
        """The procedure's own cleaned fields, JSON-safe (dates as ISO strings)."""
        data = {}
        for name in self.data_field_names():
            value = self.cleaned_data.get(name)
            if isinstance(value, date):
                value = value.isoformat()
            data[name] = "" if value is None else value
        return data

    def holder_id_number(self) -> str:
        return self.cleaned_data.get(self.id_number_field, "") if self.id_number_field else ""

    @classmethod
    def holder_id_number_from(cls, data: dict[str, Any]) -> str:
        """The holder's identity number in stored data (for the appointment), or ""."""
        return str(data.get(cls.id_number_field) or "") if cls.id_number_field else ""

    @classmethod
    def describe(cls, data: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, readable value) for each field of the stored data, in the form's order, in the current
        language; fields the stored data lacks are skipped, keys the form no longer has are shown raw."""
        form = cls()
        rows = []
        for name in cls.data_field_names():
            if name not in data:
                continue
            field = form.fields[name]
            rows.append((str(field.label), cls._display(form, name, field, data[name])))
        for name, value in data.items():
            if name not in form.fields:
                rows.append((name, str(value)))
        return rows

    @classmethod
    def _display(cls, form, name: str, field: forms.Field, value: Any) -> str:
        if value in ("", None, []):
            return "—"
        display = getattr(cls, f"display_{name}", None)
        if display is not None:
            return str(display(value))
        if isinstance(field, forms.DateField):
            try:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            except (TypeError, ValueError):
                return str(value)
        if isinstance(field, forms.BooleanField):
            return str(_("Yes") if value else _("No"))
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        return str(value)


class ProvinceWardMixin(forms.Form):
    """Province (after the 2025 rearrangement) and ward (phường/xã) of an address in Vietnam.

    The ward list holds the chosen province's wards. Without JavaScript, the citizen changes the province and
    taps "Show the wards of this province" (a submit button named `_refresh`, which the journey answers by
    showing the form again with what was typed and the new list).
    """

    province = TypedChoiceField(label=_("Province or city"), coerce=str, choices=())
    ward = ChoiceField(label=_("Ward or commune"), choices=())
    street = CharField(
        label=_("House number and street"),
        max_length=200,
        help_text=_("E.g. 12/3 Đoàn Văn Bơ, or the hamlet or residential group where there is no street."),
    )

    REFRESH_FIELD: ClassVar[str] = "province"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are given as callables: Django lists (and normalises) them only to validate a submitted form or
        # to build a list not yet cached by the widget, not on every page view.
        self.fields["province"].choices = validation.province_choices
        self.fields["province"].widget.options_key = "procedures:provinces"
        province = (self.data.get(self.add_prefix("province")) if self.is_bound else None) or self.initial.get(
            "province"
        )
        if not province:
            province = str(validation.HOME_PROVINCE.value)
            self.initial.setdefault("province", province)
        wards = validation.ward_choices(province_code=province) if str(province).isdigit() else []
        self.fields["ward"].choices = lambda: [("", _("— choose —")), *wards]
        self.fields["ward"].widget.options_key = f"procedures:wards:{province}" if wards else None

    def clean_street(self):
        return " ".join(self.cleaned_data["street"].split())

    def clean(self):
        cleaned = super().clean()
        ward, province = cleaned.get("ward"), cleaned.get("province")
        if ward and province:
            try:
                validation.check_ward_in_province(ward_code=ward, province_code=province)
            except ValidationError as exc:
                self.add_error("ward", exc)
        return cleaned

    @staticmethod
    def display_province(value):
        return validation.province_name(value)

    @staticmethod
    def display_ward(value):
        return validation.ward_name(value)
