"""Ordinary passport: first issue or re-issue (Law 49/2019/QH14 on exit and entry of Vietnamese citizens)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import validation
from .base import CharField, ChoiceField, FutureDateField, IdNumberField, ProcedureForm
from .registry import register

CURRENT_PASSPORT_REQUIRED = _("Enter the number of your current passport, as printed on its photo page.")
FIRST_PASSPORT_HAS_NUMBER = _("For a first passport, leave the current passport number empty.")


class PassportRequest(models.TextChoices):
    FIRST = "first", _("First passport")
    EXPIRING = "expiring", _("New passport: the current one has expired or expires soon")
    DAMAGED = "damaged", _("New passport: the current one is damaged")
    LOST = "lost", _("New passport: the current one was lost (loss already reported)")
    CHANGED = "changed", _("New passport: my personal details have changed")


class TravelPurpose(models.TextChoices):
    TOURISM = "tourism", _("Tourism")
    FAMILY = "family", _("Visiting relatives")
    STUDY = "study", _("Study")
    WORK = "work", _("Work or business")
    MEDICAL = "medical", _("Medical treatment")
    OTHER = "other", _("Other")


@register("ho-chieu")
class PassportForm(ProcedureForm):
    id_number_field = "id_number"

    id_number = IdNumberField()
    request_type = ChoiceField(label=_("What do you need?"), choices=PassportRequest.choices)
    current_passport = CharField(
        label=_("Current passport number"),
        required=False,
        max_length=12,
        help_text=_("One letter and 7 digits, e.g. C1234567. Leave empty for a first passport."),
    )
    purpose = ChoiceField(label=_("Purpose of travel"), choices=TravelPurpose.choices)
    travel_date = FutureDateField(
        label=_("Planned departure date"),
        required=False,
        help_text=_("If you already know it."),
    )

    def clean_current_passport(self):
        value = self.cleaned_data["current_passport"]
        return validation.normalize_vn_passport(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("request_type"), cleaned.get("current_passport")
        if kind == PassportRequest.FIRST and number:
            self.add_error("current_passport", ValidationError(FIRST_PASSPORT_HAS_NUMBER, code="first_has_number"))
        elif kind in (PassportRequest.EXPIRING, PassportRequest.DAMAGED, PassportRequest.CHANGED) and (
            "current_passport" in cleaned and not number
        ):
            self.add_error(
                "current_passport", ValidationError(CURRENT_PASSPORT_REQUIRED, code="current_passport_required")
            )
        return cleaned
