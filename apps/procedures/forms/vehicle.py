"""Vehicle registration (Circular 79/2024/TT-BCA): first registration, change of owner, new certificate or plate,
deregistration."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import validation
from .base import CharField, ChoiceField, IdNumberField, ProcedureForm
from .registry import register

PLATE_REQUIRED = _("Enter the vehicle's plate number: it is needed for every request except a first registration.")
FIRST_REGISTRATION_HAS_PLATE = _("A vehicle registered for the first time has no plate yet: leave this empty.")


class VehicleRequest(models.TextChoices):
    FIRST = "first", _("First registration")
    TRANSFER = "transfer", _("Change of owner")
    REISSUE = "reissue", _("New or replacement registration certificate or plate")
    DEREGISTER = "deregister", _("Deregistration")


class VehicleType(models.TextChoices):
    CAR = "car", _("Car")
    TRAILER = "trailer", _("Trailer or semi-trailer")
    MOTORBIKE = "motorbike", _("Motorbike")
    MOPED = "moped", _("Moped")
    ELECTRIC = "electric", _("Electric motorbike or moped")


MOTORBIKE_TYPES = {VehicleType.MOTORBIKE, VehicleType.MOPED, VehicleType.ELECTRIC}


@register("dang-ky-xe")
class VehicleForm(ProcedureForm):
    id_number_field = "id_number"

    id_number = IdNumberField()
    request_type = ChoiceField(label=_("What do you need?"), choices=VehicleRequest.choices)
    vehicle_type = ChoiceField(label=_("Type of vehicle"), choices=VehicleType.choices)
    plate = CharField(
        label=_("Plate number"),
        required=False,
        max_length=16,
        help_text=_("As printed, e.g. 51F-123.45 or 59-X1 234.56. Leave empty for a first registration."),
    )

    def clean(self):
        cleaned = super().clean()
        kind, vehicle, raw = cleaned.get("request_type"), cleaned.get("vehicle_type"), cleaned.get("plate", "")
        if "plate" not in cleaned:
            return cleaned
        if kind == VehicleRequest.FIRST:
            if raw.strip():
                self.add_error("plate", ValidationError(FIRST_REGISTRATION_HAS_PLATE, code="first_has_plate"))
            cleaned["plate"] = ""
            return cleaned
        if not raw.strip():
            if kind:
                self.add_error("plate", ValidationError(PLATE_REQUIRED, code="plate_required"))
            return cleaned
        try:
            cleaned["plate"] = validation.normalize_plate(
                raw, motorbike=(vehicle in MOTORBIKE_TYPES) if vehicle else None
            )
        except ValidationError as exc:
            self.add_error("plate", exc)
        return cleaned
