"""The one filing (hồ sơ) of every procedure: who files, what they answered, their visit, where the file stands.

The identity card is one procedure among the others: its multi-step form's answers go into `answers` as the
other procedures' short forms do (see docs/ARCHITECTURE.md, "filings"). A filing moves between `FilingState`s
only through `services.filing_transition` (the table is `transitions.TRANSITIONS`); each move is a `FilingEvent`,
the timeline the citizen reads at /tra-cuu/.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from apps.backoffice.search import SearchText


class FilingState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received at the counter")
    RETURNED = "returned", _("Returned for correction")
    IN_PROGRESS = "in_progress", _("In progress")
    READY = "ready", _("Result ready")
    COLLECTED = "collected", _("Collected")
    POSTED = "posted", _("Sent by post")
    NO_SHOW = "no_show", _("Did not come to the appointment")
    CANCELLED = "cancelled", _("Cancelled")


def appointment_deleted(collector, field, sub_objs, using):
    """`on_delete` of `Filing.appointment`: SET_NULL, and the filing's `unit` (its appointment's) with it."""
    collector.add_field_update(field, None, sub_objs)
    collector.add_field_update(field.model._meta.get_field("unit"), None, sub_objs)


class Filing(models.Model):
    """A citizen's filing for one procedure, whatever the procedure.

    `answers` holds the procedure form's cleaned fields as JSON (dates as ISO text, phones as E.164), written by
    the form version `form_version`; the columns next to it are what every procedure has and officers search on.
    """

    code = models.CharField(_("filing code"), max_length=16, unique=True, editable=False)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="filings", verbose_name=_("procedure")
    )
    holder_name = models.CharField(_("full name"), max_length=120)
    # The name as the search compares it (`portal_unaccent`: no accents, lower case), computed by the database on
    # every write (a generated column), held in `filing_recent_name` beside the list's order: a common name's
    # first page is read from that index alone (backoffice.admin_mixins.SearchAdminMixin, docs/scale.md).
    name_key = models.GeneratedField(
        expression=SearchText("holder_name"), output_field=models.CharField(max_length=120), db_persist=True
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(_("personal ID number"), max_length=12, blank=True, db_index=True)
    # The number confirmed with a one-time code before submission: the only one the citizen is messaged at.
    phone = PhoneNumberField(_("mobile phone"), region="VN")
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="vi")
    notify_channel = models.CharField(_("preferred way to be notified"), max_length=8, default="sms")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form_version = models.PositiveSmallIntegerField(_("form version"), default=1)
    # The privacy notice (apps.privacy.PrivacyNotice.version) the citizen accepted on the journey's first step, and
    # the separate consent to sensitive data where the form asks for it (None: not asked; False: refused, the
    # officer fills those items in at the counter). Empty on filings made before the notice was shown.
    notice_version = models.PositiveIntegerField(_("privacy notice accepted"), null=True, blank=True, editable=False)
    sensitive_consent = models.BooleanField(_("consent to sensitive data"), null=True, blank=True, editable=False)
    appointment = models.OneToOneField(
        "appointments.Appointment",
        on_delete=appointment_deleted,
        null=True,
        blank=True,
        related_name="filing",
        verbose_name=_("appointment"),
    )
    # The appointment's unit, copied so that a ward's list and search narrow filings by an index of their own (a
    # name search otherwise confirms every namesake of the whole city before the join to the appointment drops
    # the other units'). Kept by `save()` (when the appointment is saved with the filing),
    # `appointments.services.appointment_reschedule` (a booking moved to another unit) and `appointment_deleted`;
    # the officers' lists require both it and the appointment's unit (`FilingAdmin.get_queryset`); the dashboard's
    # counts by state read it alone (`backoffice.selectors._filings_by_state`).
    unit = models.ForeignKey(
        "units.PoliceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        verbose_name=_("unit"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FilingState, default=FilingState.SUBMITTED, db_index=True
    )
    officer_note = models.TextField(
        _("officer's note"),
        blank=True,
        help_text=_("For colleagues only. The reason given when the state changes is what the citizen receives."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # When the citizen last sent the filing again corrected (services.filing_correct); with state "submitted" it
    # waits for an officer's new check: what the review queue and the dashboard single out (partial index below).
    corrected_at = models.DateTimeField(_("corrected by the citizen"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ("-submitted_at",)
        indexes = [
            models.Index(fields=["state", "-submitted_at"], name="filing_state_submitted"),
            models.Index(fields=["procedure", "state"], name="filing_procedure_state"),
            # The default order of the officers' list (newest first) without sorting the whole table, with the
            # normalised name, unit and code beside each entry: a name search walks it and checks them in the
            # index (an index-only scan) until a page is full, reading no row but the page's.
            models.Index(
                fields=["-submitted_at", "-id"], include=["name_key", "unit", "code"], name="filing_recent_name"
            ),
            # The corrected filings waiting for a new check (few), per appointment for a unit's officers.
            models.Index(
                fields=["appointment"],
                name="filing_waiting_recheck",
                condition=models.Q(state="submitted", corrected_at__isnull=False),
            ),
            # A unit's filings in a state (a ward's list filtered by state): the filings are
            # the officer's through their appointment's unit, so both sides of that join are read from indexes in
            # appointment order and merged (with `appointments_unit_id`), 800 ms -> 40 ms for 7,500 of 150,000.
            models.Index(fields=["state", "appointment"], name="filing_state_appointment"),
            # A ward's filings newest first, and with the trigram index of the name (BitmapAnd) a ward's name
            # search reads its own namesakes only (250 of 7,500 "nguyen van an" in benchmarks/scale.py's data).
            models.Index(fields=["unit", "-submitted_at"], name="filing_unit_submitted"),
            # A ward's filings counted by state (the dashboard), from the index alone.
            models.Index(fields=["unit", "state"], name="filing_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.holder_name}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "appointment" in update_fields:
            unit_id = self.appointment.unit_id if self.appointment_id else None
            if unit_id != self.unit_id:
                self.unit_id = unit_id
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "unit"}
        super().save(*args, **kwargs)


class FilingEvent(models.Model):
    """One step of a filing's timeline: a change of state (who, when, the reason the citizen reads)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="events", verbose_name=_("filing"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    source = models.CharField(_("from state"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=FilingState)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("filing event")
        verbose_name_plural = _("filing events")
        ordering = ("at", "id")
        indexes = [models.Index(fields=["filing", "at"], name="filing_event_filing_at")]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.source} → {self.state}"


class FilingVersion(models.Model):
    """The answers a filing had before the citizen corrected them (number 1: as first submitted). The filing itself
    holds the current answers; the officer reads what changed between the two (`selectors.filing_changes`)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="versions", verbose_name=_("filing"))
    number = models.PositiveSmallIntegerField(_("version"))
    holder_name = models.CharField(_("full name"), max_length=120)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    form_version = models.PositiveSmallIntegerField(_("form version"), default=1)
    # When the correction replaced these answers, and the timeline's event of that resubmission.
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)
    event = models.OneToOneField(
        FilingEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_version"
    )

    class Meta:
        verbose_name = _("earlier answers")
        verbose_name_plural = _("earlier answers")
        ordering = ("filing", "number")
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique")]

    def __str__(self) -> str:
        return f"{self.filing_id} v{self.number}"


class Draft(models.Model):
    """A filing in progress, for any procedure, kept on the server for 7 days.

    `key` is the secret of the resume link and of the browser's draft cookie; when another browser opens the link,
    the draft moves to that browser under a new key (issue 12.5: whoever sent the link cannot read what the
    receiver types later). `data` holds what was typed, step by step, exactly as posted (valid or not), so nothing
    typed is ever lost; `version` counts its changes, so a page posted from an older tab is refused, not saved over
    newer answers (issue 12.11); `invalid_step` is the step last posted with errors, shown with its messages after
    the redirect (issue 12.9).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=0)
    invalid_step = models.CharField(max_length=60, blank=True)
    procedure_slug = models.SlugField(max_length=60, default="cap-cccd")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    filing = models.OneToOneField(Filing, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft")
    # The place held by the appointment step (appointment_hold), booked on submission.
    hold = models.ForeignKey(
        "appointments.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The confirmation code sent to the phone (otp_issue); once verified, `verified_phone` records for which
    # number, so a citizen sent back to the picker (slot taken meanwhile) does not need a second code.
    otp_challenge = models.ForeignKey(
        "notifications.OtpChallenge", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_phone = models.CharField(max_length=20, blank=True)
    # A multi-step form reopened to correct a filing returned for correction (the identity card): its answers
    # replace the filing's on "send the corrected filing"; the filing keeps its code and appointment.
    corrects = models.ForeignKey(
        Filing, on_delete=models.CASCADE, null=True, blank=True, related_name="correction_drafts"
    )

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return str(self.id)
