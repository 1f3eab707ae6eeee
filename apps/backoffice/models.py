"""The back office's own records: the audit log and the counter's arrivals (a filing's history of states is its
timeline, apps.filings' FilingEvent).

The audit log points at its subject generically (content type + object id + a text copy of what it was), so it
works for filings, appointments, reports or any model added later, and outlives the subject's deletion.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    ADD = "add", _("Added")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    TRANSITION = "transition", _("Changed state")
    CHECK_IN = "check_in", _("Checked in")
    RESCHEDULE = "reschedule", _("Moved to another slot")
    NO_SHOW = "no_show", _("Marked as not come")
    RESEND = "resend", _("Resent a message")


class AuditLogEntry(models.Model):
    """Who looked at or changed which record, when. Written only by `services.audit_record`; never edited."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    # A copy of the officer's user name, so the record still says who it was if the account is deleted.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of record"),
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "units.PoliceUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("content_type", "object_id"), name="backoffice_audit_subject")]
        permissions = [
            ("access_all_units", _("Can see and change the records of every unit")),
            ("check_in", _("Can check citizens in at the counter")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"


class Arrival(models.Model):
    """A citizen checked in at the counter for an appointment: when, by whom. One per appointment."""

    appointment = models.OneToOneField(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        related_name="arrival",
        verbose_name=_("appointment"),
    )
    unit = models.ForeignKey("units.PoliceUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    at = models.DateTimeField(_("arrived at"), default=timezone.now)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    # True when the officer checked the citizen in although the booking was for another day.
    other_day = models.BooleanField(_("came on another day"), default=False)
    # The citizen's number in the unit's queue of the day they came: 1, 2, 3… in order of arrival, given once at
    # check-in (services.appointment_check_in, under a lock on the unit) and never renumbered.
    day = models.DateField(_("day"), null=True, blank=True)
    queue_number = models.PositiveIntegerField(_("queue number"), null=True, blank=True)

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ("-at",)
        constraints = [
            models.UniqueConstraint(fields=("unit", "day", "queue_number"), name="backoffice_arrival_queue_unique"),
        ]

    def __str__(self) -> str:
        # Only this row and its appointment (admin lists select it): no query per row.
        return f"{self.appointment.reference} @ {timezone.localtime(self.at):%H:%M %d/%m/%Y}"


class ClosureOutcome(models.TextChoices):
    MOVED = "moved", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_MOVED = "not_moved", _("Not moved: call the citizen")


class ClosureBooking(models.Model):
    """A booking a closed day took away, and what became of it (written by `services.closure_close_day`): the list
    the unit's officers work from to see whether each citizen got the message, and to resend it."""

    closure = models.ForeignKey(
        "appointments.Closure", on_delete=models.CASCADE, related_name="bookings", verbose_name=_("closure")
    )
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="+", verbose_name=_("appointment")
    )
    previous_starts_at = models.DateTimeField(_("booked for"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=ClosureOutcome)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("booking of a closed day")
        verbose_name_plural = _("bookings of closed days")
        ordering = ("previous_starts_at", "id")
        constraints = [
            models.UniqueConstraint(fields=("closure", "appointment"), name="backoffice_closure_booking_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment.reference}: {self.get_outcome_display()}"
