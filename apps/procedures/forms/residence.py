"""Residence registration (Residence Law 68/2020/QH14): permanent, temporary, extension of temporary residence."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import ChoiceField, FutureDateField, IdNumberField, ProcedureForm, ProvinceWardMixin
from .registry import register

STAY_UNTIL_REQUIRED = _("Enter until when you will stay at this address.")
STAY_UNTIL_TOO_FAR = _("Temporary residence is registered for at most 2 years at a time (it can be extended).")
STAY_UNTIL_NOT_FOR_PERMANENT = _("Permanent residence has no end date: leave this empty.")


class ResidenceType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent residence registration")
    TEMPORARY = "temporary", _("Temporary residence registration")
    EXTENSION = "extension", _("Extension of temporary residence")


class Accommodation(models.TextChoices):
    OWNED = "owned", _("A home I own")
    RENTED = "rented", _("A rented or borrowed home")
    FAMILY = "family", _("The home of a relative")
    OTHER = "other", _("Other (dormitory, religious establishment, care home…)")


def _two_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


@register("dang-ky-cu-tru")
class ResidenceForm(ProvinceWardMixin, ProcedureForm):
    id_number_field = "id_number"
    field_order = (
        "holder_name",
        "phone",
        "id_number",
        "residence_type",
        "province",
        "ward",
        "street",
        "accommodation",
        "stay_until",
    )

    id_number = IdNumberField()
    residence_type = ChoiceField(label=_("Registration"), choices=ResidenceType.choices)
    accommodation = ChoiceField(label=_("The address is"), choices=Accommodation.choices)
    stay_until = FutureDateField(
        label=_("Staying until"),
        required=False,
        help_text=_("For temporary residence: the last day of your stay (at most 2 years ahead)."),
    )

    def clean(self):
        cleaned = super().clean()
        kind, until = cleaned.get("residence_type"), cleaned.get("stay_until")
        if "stay_until" not in cleaned or not kind:
            return cleaned
        if kind == ResidenceType.PERMANENT:
            if until:
                self.add_error("stay_until", ValidationError(STAY_UNTIL_NOT_FOR_PERMANENT, code="until_permanent"))
        elif not until:
            self.add_error("stay_until", ValidationError(STAY_UNTIL_REQUIRED, code="until_required"))
        elif until > _two_years_after(timezone.localdate()):
            self.add_error("stay_until", ValidationError(STAY_UNTIL_TOO_FAR, code="until_too_far"))
        return cleaned
