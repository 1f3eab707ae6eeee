"""Keep the slot picker's cached availability exact: any change that can alter what a unit offers or how many
places are taken bumps the availability version (selectors.availability_version_bump): at once, and inside a
transaction again when it commits (so a page computed between the write and its commit is never kept under the
new version). Writes that bypass signals (queryset updates in services.py) bump it themselves."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.procedures.models import Procedure
from apps.units.models import OpeningHours, PoliceUnit

from .models import Appointment, BookingSchedule, Closure, OfficialDay, ProcedureCapacity, Slot
from .selectors import availability_changed, calendar_changed

WATCHED = (
    Appointment,
    Slot,
    BookingSchedule,
    ProcedureCapacity,
    OfficialDay,
    Closure,
    OpeningHours,
    PoliceUnit,
    Procedure,
)


def _changed(sender, **kwargs) -> None:
    availability_changed()
    if sender not in (Appointment, Slot):  # bookings do not change the calendar (selectors.CALENDAR_VERSION_KEY)
        calendar_changed()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"appointments-availability-save-{model._meta.label}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"appointments-availability-delete-{model._meta.label}"
        )
    m2m_changed.connect(_changed, sender=Procedure.units.through, dispatch_uid="appointments-availability-units")
