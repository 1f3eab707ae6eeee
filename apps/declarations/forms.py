"""One form per step of the identity-card journey. Forms check shape and agreement between answers.

Every form renders its fields with the one lean field template (``{{ field.as_field_group }}``) and Python-built
widgets (see widgets.py): the journey's pages are the portal's hot path.
"""

import copy
import functools
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.forms.journey import (
    MSG_REQUIRED,
    ChoiceField,
    DayMonthYearField,
    JourneyForm,
    VietnameseMobileField,
)
from apps.core.forms.widgets import FastCheckbox, FastInput, FastRadioSelect, FastSelect
from apps.core.names import NameLengthMixin, accents_confirm_check, accents_confirm_prepare
from apps.privacy.forms import NoticeConsentMixin

from . import addresses, eligibility, reference
from .idnumbers import MSG_OLD_ID_OR_NEW, digits_normalize, id_number_check, old_id_check

MSG_NAME_CHARS = _("Use letters only (Vietnamese letters with accents are fine), with spaces between words.")
MSG_DATE_FUTURE = _("A date of birth cannot be in the future.")
MSG_DATE_OLD = _("Check the year: the date of birth is before 1900.")
MSG_REPRESENTATIVE_REQUIRED = _("A legal representative is required: enter the representative's name.")
MSG_REPRESENTATIVE_ID = _("Enter the representative's 12-digit personal ID number.")
MSG_EMAIL_FOR_CHANNEL = _("You chose to be notified by e-mail: enter your e-mail address.")
MSG_WARD_OLD_NOT_FOUND = _("No current ward or commune of this province matches the old name “%(name)s”.")
MSG_WARD_OLD_MANY = _("Several current wards match “%(name)s”: %(wards)s. Choose one from the list.")
MSG_CURRENT_BELOW = _("You live somewhere else than your permanent address: enter your current residence below.")
TEXT_SHOW_WARDS = _("Show the wards of this province")
TEXT_CURRENT_IF_DIFFERENT = _("Current residence, if different:")
TEXT_REPRESENTATIVE = _("Legal representative (required for a child under 14 or a person with limited capacity):")
MSG_WARD_REQUIRED = _("Choose the ward or commune, or type its old name below.")


class NameField(NameLengthMixin, forms.CharField):
    """A person's name: Unicode NFC (keyboards send composed or decomposed text), single spaces, UPPER CASE as on
    the CC01 form, Latin letters with Vietnamese diacritics only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("widget", FastInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        value = " ".join(unicodedata.normalize("NFC", value).split())
        return value.upper()

    def validate(self, value):
        super().validate(value)
        for ch in value:
            if ch in " -'":
                continue
            if not ch.isalpha() or not unicodedata.name(ch, "").startswith("LATIN"):
                raise ValidationError(MSG_NAME_CHARS, code="name_chars")


class BirthDateField(DayMonthYearField):
    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(MSG_DATE_FUTURE, code="future")
        if value and value.year < 1900:
            raise ValidationError(MSG_DATE_OLD, code="too_old")


class IdNumberField(forms.CharField):
    """A 12-digit personal ID number, or (with allow_old) a 9-digit old CMND number; spaces and dots ignored."""

    def __init__(self, *, allow_old: bool = False, **kwargs):
        self.allow_old = allow_old
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", FastInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return digits_normalize(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        if self.allow_old and len(value) == 9:
            errors = old_id_check(value)
        elif self.allow_old and len(value) != 12:
            errors = [ValidationError(MSG_OLD_ID_OR_NEW, code="id_length")]
        else:
            errors = id_number_check(value)
        if errors:
            raise ValidationError(errors)


# The relation to the household head: asked before DC02, kept to read (print) the answers of earlier filings.
RELATION_CHOICES = (
    ("", "—"),
    ("self", _("Household head (self)")),
    ("spouse", _("Wife or husband")),
    ("child", _("Child")),
    ("parent", _("Father or mother")),
    ("grandchild", _("Grandchild")),
    ("sibling", _("Brother or sister")),
    ("other", _("Other relative or person")),
)
APPLICANT_CHOICES = (
    ("self", _("Myself")),
    ("child", _("My child or a child in my care, under 14")),
    ("limited", _("A person with lost or limited civil-act capacity whom I represent")),
)
DELIVERY_COUNTER = "counter"
DELIVERY_POST = "post"
DELIVERY_CHOICES = (
    (DELIVERY_COUNTER, _("I collect it at the police unit")),
    (DELIVERY_POST, _("Send it to me by post")),
)
MSG_DELIVERY_ADDRESS = _("Enter the address the card should be sent to.")
CHANNEL_CHOICES = (
    ("sms", _("Text message (SMS)")),
    ("zalo", _("Zalo message")),
    ("email", _("E-mail")),
)


# --- Step 1: what you ask for -------------------------------------------------------------------------------
class RequestForm(NoticeConsentMixin, JourneyForm):
    """What the citizen asks for, with the privacy notice (the journey's first step). Since form version 2 the
    journey asks DC02's items only, none of them sensitive data (no ethnicity, religion or blood group), so no
    separate consent is asked (NoticeConsentMixin.CONSENT_SENSITIVE stays off); the declaration statement is
    ticked on the last step, before the code, where DC02 puts it."""

    reason = ChoiceField(
        label=_("Why do you need a card?"),
        choices=reference.REASON_CHOICES_GROUPED,
        widget=FastRadioSelect(options_key="reason"),
    )
    applicant = ChoiceField(
        label=_("Who is the card for?"),
        choices=APPLICANT_CHOICES,
        initial="self",
        widget=FastRadioSelect(options_key="applicant"),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason"):
            data["request_type"] = reference.REASONS_BY_VALUE[data["reason"]].request
        return data


# --- Step 2: about you ----------------------------------------------------------------------------------------
class AboutForm(JourneyForm):
    """DC02 section I (who the card is for: name, date of birth, sex, personal ID number; the old 9-digit ID card
    number to confirm, III(2)) and, when someone files for them, section II (the representative). The CC01-era
    questions (other name, ethnic group, religion, nationality, marital status, blood group, birth registration,
    home town, parents, spouse, household head, occupation, education) are not asked since 1 July 2024: the police
    read them from the national population database. Filings made before keep them in their answers."""

    full_name = NameField(label=_("Full name (as on the birth certificate)"))
    birth_date = BirthDateField(label=_("Date of birth"), help_text=_("Day/month/year, for example 05/09/1990."))
    sex = ChoiceField(label=_("Sex"), choices=reference.SEX_CHOICES, widget=FastRadioSelect(options_key="sex"))
    id_number = IdNumberField(
        label=_("Personal ID number (12 digits)"),
        help_text=_("On your current card, on the birth certificate or in the VNeID app."),
    )
    old_id_number = IdNumberField(
        label=_("Old ID card (CMND) number, if you had one"),
        required=False,
        allow_old=True,
        help_text=_("9 digits, or 12 digits for a 12-digit CMND."),
    )
    # DC02 section II: the representative files for a child under 14 or a person with limited capacity.
    rep_name = NameField(label=_("Representative's full name"), required=False)
    rep_birth_date = BirthDateField(label=_("Representative's date of birth"), required=False)
    rep_sex = ChoiceField(
        label=_("Representative's sex"),
        choices=reference.SEX_CHOICES,
        required=False,
        widget=FastRadioSelect(options_key="rep_sex"),
    )
    rep_id = IdNumberField(label=_("Representative's personal ID number (12 digits)"), required=False)
    rep_relation = forms.CharField(
        label=_("Relation (father, mother, guardian…)"), required=False, max_length=60, widget=FastInput
    )

    REPRESENTATIVE_FIELDS = ("rep_name", "rep_birth_date", "rep_sex", "rep_id", "rep_relation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accents_confirm_prepare(self, fields=("full_name",), widget=FastCheckbox)
        self.needs_representative = self.answers.get("applicant", "self") != "self"
        for name in self.REPRESENTATIVE_FIELDS:
            if self.needs_representative:
                self.fields[name].required = True
            else:
                del self.fields[name]  # not asked (and nothing stale is kept)
        if self.needs_representative:
            self.fields["rep_id"].error_messages["required"] = MSG_REPRESENTATIVE_ID
            self.fields["rep_name"].error_messages["required"] = MSG_REPRESENTATIVE_REQUIRED
            self.after_field = {"old_id_number": format_html('<p class="j-sub">{}</p>', TEXT_REPRESENTATIVE)}
        self._prepare_fields()

    def clean(self):
        data = super().clean()
        accents_confirm_check(self, data, fields=("full_name",))
        number = data.get("id_number")
        if number and "id_number" not in self.errors:
            for error in id_number_check(number, birth_date=data.get("birth_date"), sex=data.get("sex")):
                self.add_error("id_number", error)
        birth = data.get("birth_date")
        if birth and "birth_date" not in self.errors:
            # The request (step 1) must fit the age: who files, the age-milestone exchange, the CCCD swap.
            for error in eligibility.request_check(
                reason=self.answers.get("reason", ""),
                applicant=self.answers.get("applicant", "self"),
                birth=birth,
                on=timezone.localdate(),
            ):
                self.add_error("birth_date", error)
        return data


@functools.cache
def _address_fields(prefix: str, province: int) -> tuple[tuple[str, forms.Field], ...]:
    required = prefix == "permanent"
    fields = [
        (
            f"{prefix}_province",
            ChoiceField(
                label=_("Province or city"), choices=addresses.province_choices(), initial=addresses.DEFAULT_PROVINCE,
                required=required, widget=FastSelect(options_key="provinces"),
            ),
        ),
        (
            f"{prefix}_ward",
            ChoiceField(
                label=_("Ward, commune or special zone"), choices=addresses.ward_choices(province), required=False,
                widget=FastSelect(options_key=f"wards:{province}"),
            ),
        ),
        (
            f"{prefix}_old_name",
            forms.CharField(
                label=_("Cannot find it? Type the old ward or district name"), required=False, max_length=100,
                widget=FastInput,
                help_text=format_lazy(_("For example “{example}”."), example=settings.PORTAL_ADDRESS_EXAMPLES[0]),
            ),
        ),
        (
            f"{prefix}_street",
            forms.CharField(
                label=_("House number, street, hamlet or residential group"), max_length=200, required=required,
                widget=FastInput(attrs={"autocomplete": "street-address"}),
            ),
        ),
    ]  # fmt: skip
    if prefix == "permanent":
        fields.append(
            (
                "current_same",
                forms.BooleanField(
                    label=_("I live at my permanent address"), required=False, initial=True, widget=FastCheckbox
                ),
            )
        )
    return tuple(fields)


# --- Step 3: addresses ----------------------------------------------------------------------------------------
class AddressForm(JourneyForm):
    """Permanent and current residence: province → ward (current two-level units), then house and street.

    Without JavaScript, changing the province is a submit ("Show the wards") that keeps everything typed. The
    current-residence block (a second long ward list) is only on the page once the citizen says it differs from
    the permanent address; most citizens never need it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.asks_current = not self.data.get("current_same")
        else:
            self.asks_current = self.initial.get("current_same") is False
        # The current residence starts in the permanent address's province (most people move within it).
        self.just_unticked = self.is_bound and self.asks_current and "current_province" not in self.data
        if self.just_unticked and self.data.get("permanent_province"):
            self.data = self.data.copy()
            self.data["current_province"] = self.data["permanent_province"]
        elif not self.is_bound and self.initial.get("permanent_province"):
            self.initial.setdefault("current_province", self.initial["permanent_province"])
        for prefix in ("permanent", "current") if self.asks_current else ("permanent",):
            for name, prototype in _address_fields(prefix, self._province(prefix)):
                # Copies of per-process prototypes: the 34 provinces and a province's wards are not rebuilt (and
                # normalised again) for every page.
                self.fields[name] = copy.deepcopy(prototype)
        self._prepare_fields()
        refresh = format_html(
            '<button class="btn btn-outline-secondary btn-sm mt-2" type="submit" name="action" value="refresh">'
            "{}</button>",
            TEXT_SHOW_WARDS,
        )
        self.after_field = {
            "permanent_province": refresh,
            "current_province": refresh,
            "current_same": format_html('<p class="j-sub">{}</p>', TEXT_CURRENT_IF_DIFFERENT),
        }

    def _province(self, prefix: str) -> int:
        raw = (self.data.get(f"{prefix}_province") if self.is_bound else None) or self.initial.get(f"{prefix}_province")
        return addresses.province_code(raw)

    def _resolve_ward(self, data: dict, prefix: str) -> None:
        if data.get(f"{prefix}_ward") or self.has_error(f"{prefix}_ward"):
            return
        old = (data.get(f"{prefix}_old_name") or "").strip()
        if not old:
            self.add_error(f"{prefix}_ward", ValidationError(MSG_WARD_REQUIRED, code="required"))
            return
        matches = addresses.ward_search_legacy(province=self._province(prefix), text=old)
        if len(matches) == 1:
            data[f"{prefix}_ward"] = str(matches[0][0])
        elif not matches:
            self.add_error(f"{prefix}_old_name", ValidationError(MSG_WARD_OLD_NOT_FOUND, params={"name": old}))
        else:
            names = ", ".join(name for _, name in matches)
            self.add_error(
                f"{prefix}_old_name", ValidationError(MSG_WARD_OLD_MANY, params={"name": old, "wards": names})
            )

    def clean(self):
        data = super().clean()
        self._resolve_ward(data, "permanent")
        if not data.get("current_same"):
            if self.just_unticked:
                # The box was just unticked: the current-residence fields appear now, with this note above them.
                raise ValidationError(MSG_CURRENT_BELOW, code="current_below")
            for name in ("current_province", "current_street"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, ValidationError(MSG_REQUIRED, code="required"))
            self._resolve_ward(data, "current")
        return data


# --- Step 4: contact and where the card goes ----------------------------------------------------------------
class ContactForm(JourneyForm):
    phone = VietnameseMobileField(
        label=_("Mobile phone"), help_text=_("The confirmation code and the reminder are sent to this number.")
    )
    email = forms.EmailField(
        label=_("E-mail, if you want"),
        required=False,
        widget=FastInput(attrs={"type": "email", "autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address such as ten@example.vn.")},
    )
    channel = ChoiceField(
        label=_("How should we notify you?"),
        choices=CHANNEL_CHOICES,
        initial="sms",
        widget=FastRadioSelect(options_key="channel"),
    )
    # DC02 III(11): where the result goes. The 2023 Identity Law lets the card be sent by post.
    delivery = ChoiceField(
        label=_("How do you want to receive the card?"),
        choices=DELIVERY_CHOICES,
        initial=DELIVERY_COUNTER,
        required=False,  # not chosen: collected at the counter, as before this choice existed
        widget=FastRadioSelect(options_key="delivery"),
        help_text=_("The card's fee is the same either way; the postal charge is paid at the counter."),
    )
    delivery_address = forms.CharField(
        label=_("Address to send the card to"),
        required=False,
        max_length=250,
        widget=FastInput(attrs={"autocomplete": "street-address"}),
        help_text=_("Leave empty to use your permanent address."),
    )

    def clean(self):
        data = super().clean()
        if data.get("channel") == "email" and not data.get("email") and "email" not in self.errors:
            self.add_error("email", ValidationError(MSG_EMAIL_FOR_CHANNEL, code="required"))
        if data.get("delivery") == DELIVERY_POST and not data.get("delivery_address"):
            permanent = addresses.address_line(self.answers, "permanent")
            if permanent:
                data["delivery_address"] = permanent
            elif "delivery_address" not in self.errors:
                self.add_error("delivery_address", ValidationError(MSG_DELIVERY_ADDRESS, code="required"))
        if data.get("delivery") != DELIVERY_POST:
            data["delivery"], data["delivery_address"] = DELIVERY_COUNTER, ""
        return data
