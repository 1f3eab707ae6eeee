"""Temporary residence declaration for a foreigner (Law 47/2014/QH13 on entry, exit, transit and residence of
foreigners in Vietnam, as amended): the host (accommodation establishment or household) declares the guest."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import validation
from .base import CharField, ChoiceField, DateField, FutureDateField, PersonNameField, ProcedureForm, ProvinceWardMixin
from .registry import register

DEPARTURE_BEFORE_ARRIVAL = _("The departure date must be on or after the arrival date.")
ARRIVAL_TOO_OLD = _("The arrival date is more than 30 days ago: declare the stay at the police station directly.")
ARRIVAL_TOO_FAR = _("The arrival date is more than a year ahead.")
NATIONALITY_VIETNAMESE = _("Vietnamese citizens register their residence through the residence registration.")
ARRIVAL_LOOKBACK_DAYS = 30


class HostKind(models.TextChoices):
    ACCOMMODATION = "accommodation", _("An accommodation establishment (hotel, guest house…)")
    HOUSEHOLD = "household", _("A household or private home")
    ORGANISATION = "organisation", _("An agency or organisation")


@register("tam-tru-nguoi-nuoc-ngoai")
class ForeignerStayForm(ProvinceWardMixin, ProcedureForm):
    field_order = (
        "holder_name",
        "phone",
        "host_kind",
        "guest_name",
        "nationality",
        "passport_number",
        "province",
        "ward",
        "street",
        "arrival",
        "departure",
    )

    host_kind = ChoiceField(label=_("The guest stays at"), choices=HostKind.choices)
    guest_name = PersonNameField(
        label=_("Guest's full name"), help_text=_("As printed in the passport, in Latin letters.")
    )
    nationality = ChoiceField(label=_("Guest's nationality"), choices=())
    passport_number = CharField(label=_("Guest's passport number"), max_length=12)
    arrival = DateField(label=_("Arrival date"))
    departure = FutureDateField(label=_("Expected departure date"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder_name"].label = _("Your full name (the host)")
        self.fields["street"].label = _("Address of the stay: house number and street")
        self.fields["nationality"].choices = lambda: [("", _("— choose —")), *validation.nationality_choices()]
        self.fields["nationality"].widget.options_key = "procedures:nationalities"

    def clean_nationality(self):
        value = self.cleaned_data["nationality"]
        if value == "VNM":
            raise ValidationError(NATIONALITY_VIETNAMESE, code="nationality_vietnamese")
        return value

    def clean_passport_number(self):
        return validation.normalize_foreign_passport(self.cleaned_data["passport_number"])

    def clean_arrival(self):
        arrival = self.cleaned_data["arrival"]
        today = timezone.localdate()
        if arrival < today - timedelta(days=ARRIVAL_LOOKBACK_DAYS):
            raise ValidationError(ARRIVAL_TOO_OLD, code="arrival_too_old")
        if arrival > today + timedelta(days=365):
            raise ValidationError(ARRIVAL_TOO_FAR, code="arrival_too_far")
        return arrival

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival"), cleaned.get("departure")
        if arrival and departure and departure < arrival:
            self.add_error("departure", ValidationError(DEPARTURE_BEFORE_ARRIVAL, code="departure_before_arrival"))
        return cleaned

    @staticmethod
    def display_nationality(value):
        return validation.country_name(value)
