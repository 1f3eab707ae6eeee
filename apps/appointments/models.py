"""The appointment engine's tables.

Opening hours are the unit's own (`apps.units.models.OpeningHours`); a unit takes appointments when it has a
`BookingSchedule`. A `Slot` row is created the first time somebody holds a place in it: it is the row booking
transactions lock, so two requests for the same time are serialised while requests for other times run freely.
Capacity is never stored on the slot: it is read from the schedule at each booking, so an officer's change
applies at once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.backoffice.search import SearchText
from apps.units.models import Weekday


class BookingSchedule(models.Model):
    unit = models.OneToOneField(
        "units.PoliceUnit",
        on_delete=models.CASCADE,
        related_name="booking_schedule",
        verbose_name=_("unit"),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=15,
        help_text=_("Slots start at the opening time of each session and follow each other without gaps."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("places per slot"),
        default=2,
        help_text=_("How many citizens the reception desks serve in one slot, all procedures together."),
    )
    lead_time_hours = models.PositiveSmallIntegerField(
        _("lead time (hours)"),
        default=2,
        help_text=_("No booking less than this many hours before the slot."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("horizon (days)"),
        default=30,
        help_text=_("No booking more than this many days ahead."),
    )
    is_active = models.BooleanField(
        _("takes appointments online"),
        default=True,
        help_text=_("Turning this off stops new bookings; existing appointments stay."),
    )

    class Meta:
        verbose_name = _("booking schedule")
        verbose_name_plural = _("booking schedules")
        ordering = ("unit__order", "unit__name")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="appointments_schedule_slot_minutes_range",
                violation_error_message=_("A slot lasts between 5 and 240 minutes."),
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, horizon_days__lte=180),
                name="appointments_schedule_horizon_range",
                violation_error_message=_("The horizon is between 1 and 180 days."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class ProcedureCapacity(models.Model):
    """A cap on the places of one procedure in each slot (e.g. passports need the one desk with a camera)."""

    schedule = models.ForeignKey(
        BookingSchedule,
        on_delete=models.CASCADE,
        related_name="procedure_capacities",
        verbose_name=_("booking schedule"),
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("procedure"),
    )
    capacity = models.PositiveSmallIntegerField(_("places per slot for this procedure"))

    class Meta:
        verbose_name = _("capacity per procedure")
        verbose_name_plural = _("capacities per procedure")
        constraints = [
            models.UniqueConstraint(fields=("schedule", "procedure"), name="appointments_procedure_capacity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.capacity}"


class OfficialDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra official day off")
    WORKING_DAY = "working_day", _("Working day swapped in")


class OfficialDay(models.Model):
    """Days the government adds to the public holidays of the `holidays` library, or swaps in as working days.

    The library knows the fixed holidays and Tết; each year the government also announces bridge days off and the
    Saturdays worked in exchange. Officers enter those here; they apply to every unit.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OfficialDayKind, default=OfficialDayKind.DAY_OFF)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown to citizens, e.g. Nghỉ bù Quốc khánh."))
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    hours_of_weekday = models.PositiveSmallIntegerField(
        _("opening hours of"),
        choices=Weekday,
        default=Weekday.MONDAY,
        help_text=_("For a working day swapped in: which weekday's opening hours apply."),
    )

    class Meta:
        verbose_name = _("official day off or working day")
        verbose_name_plural = _("official days off and working days")
        ordering = ("-date",)

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class Closure(models.Model):
    """A unit closed for a while (training, elections, repairs): no slot inside it is offered."""

    unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.CASCADE, related_name="closures", verbose_name=_("unit")
    )
    starts_at = models.DateTimeField(_("closed from"))
    ends_at = models.DateTimeField(_("closed until"))
    reason = models.CharField(_("reason"), max_length=200, help_text=_("Shown to citizens."))
    reason_en = models.CharField(_("reason in English"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ("-starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointments_closure_ends_after_start",
                violation_error_message=_("The closure must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=("unit", "ends_at"), name="appointments_closure_unit_end")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.reason}"

    @property
    def display_reason(self) -> str:
        from django.utils import translation

        if translation.get_language() == "en" and self.reason_en:
            return self.reason_en
        return self.reason


class Slot(models.Model):
    """One bookable time of one unit; created on first use. Booking transactions lock this row."""

    unit = models.ForeignKey("units.PoliceUnit", on_delete=models.CASCADE, related_name="slots", verbose_name=_("unit"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ("starts_at",)
        constraints = [
            models.UniqueConstraint(fields=("unit", "starts_at"), name="appointments_slot_unique_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointments_slot_ends_after_start"
            ),
        ]
        # A day of every unit (reminders, exports and lists by date); the unique (unit, starts_at) serves one unit.
        indexes = [models.Index(fields=("starts_at",), name="appointments_slot_start")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.unit} {local:%d/%m/%Y %H:%M}"


class AppointmentStatus(models.TextChoices):
    HELD = "held", _("Held")
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Hold expired")


# Statuses that occupy a place in their slot (a hold only until it expires).
TAKING_PLACE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW)


class Appointment(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("slot"))
    # The slot's start, copied so that the officers' list orders by a column of its own and a name search reads
    # the first page in that order from one index (`appointments_start_name`) instead of confirming every namesake
    # of the city and sorting them by a slot lookup each (docs/scale.md). Set by `save()` and by the services'
    # INSERT (`services._insert`) whenever the slot is; a slot's start never changes (a move takes another slot).
    slot_starts_at = models.DateTimeField(_("time"), null=True, editable=False)
    # Copied from the slot so rosters filter and index by unit without a join.
    unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("unit")
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("procedure")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AppointmentStatus, default=AppointmentStatus.HELD, db_index=True
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    holder_key = models.CharField(
        _("holder key"), max_length=64, blank=True, help_text=_("Identifies the browser session that holds it.")
    )
    # The hold budget (docs/threat-model.md): a hold keeps a place from others only while it is within the budgets
    # of its slot, phone and client address; beyond them it is recorded but keeps nothing (booking re-checks).
    hold_counted = models.BooleanField(
        _("hold keeps a place"), default=True, help_text=_("Whether this hold keeps its place from other citizens.")
    )
    holder_client = models.CharField(
        _("holder client"), max_length=32, blank=True, help_text=_("Keyed hash of the address that took the hold.")
    )
    reference = models.CharField(
        _("reference"), max_length=32, blank=True, db_index=True, help_text=_("Code of the citizen's filing.")
    )
    holder_name = models.CharField(_("name"), max_length=200, blank=True)
    # The name as the search compares it (without accents, lower case: `portal_unaccent`), computed by the database
    # on every write, whatever writes it (a generated column): held in `appointments_start_name` with the list's
    # order, so a common name's first page is read from that index alone.
    name_key = models.GeneratedField(
        expression=SearchText("holder_name"), output_field=models.CharField(max_length=200), db_persist=True
    )
    phone = models.CharField(_("phone"), max_length=20, help_text=_("International format (E.164)."))
    id_number = models.CharField(_("identity number"), max_length=12, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(_("times moved"), default=0)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="vi",
        help_text=_("The language the citizen booked in; messages about the appointment use it."),
    )

    Status = AppointmentStatus

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ("slot__starts_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="held") | models.Q(hold_expires_at__isnull=False),
                name="appointments_hold_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=("slot", "status"), name="appointments_slot_status"),
            models.Index(fields=("phone", "status"), name="appointments_phone_status"),
            models.Index(fields=("status", "hold_expires_at"), name="appointments_status_expiry"),
            # A unit's appointments in id order from the index alone: how a unit's officer reaches their filings
            # (filing -> appointment -> unit), joined by id without reading the appointments' rows.
            models.Index(fields=("unit", "id"), name="appointments_unit_id"),
            # The officers' list in its order (time, then id) with the normalised name, unit and code beside each entry:
            # a search for a common name walks it and checks the name in the index (an index-only scan) until a
            # page is full, reading no row but the page's (see backoffice.admin_mixins.SearchAdminMixin).
            models.Index(
                fields=("slot_starts_at", "id"),
                include=("name_key", "unit", "reference"),
                name="appointments_start_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} · {self.slot}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if (update_fields is None or "slot" in update_fields) and self.slot_start_copy() and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "slot_starts_at"}
        super().save(*args, **kwargs)

    def slot_start_copy(self) -> bool:
        """Give `slot_starts_at` the slot's start; whether it changed."""
        starts_at = self.slot.starts_at if self.slot_id else None
        changed = starts_at != self.slot_starts_at
        self.slot_starts_at = starts_at
        return changed

    @property
    def starts_at(self):
        return self.slot.starts_at

    @property
    def ends_at(self):
        return self.slot.ends_at

    def hold_is_active(self, *, now=None) -> bool:
        return (
            self.status == AppointmentStatus.HELD
            and self.hold_expires_at is not None
            and self.hold_expires_at > (now or timezone.now())
        )

    @property
    def hold_minutes(self) -> int:
        return settings.APPOINTMENT_HOLD_MINUTES
