import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from . import reference


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class Filing(models.Model):
    """What every procedure's citizen filing has, whatever its form: the seam other procedures reuse.

    The appointment step, the confirmation-code step, the done page (code, QR, .ics, slip) and the lookup work
    on these fields only (see docs/ARCHITECTURE.md, "declarations").
    """

    code = models.CharField(_("declaration code"), max_length=16, unique=True, editable=False)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure")
    )
    holder_name = models.CharField(_("name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    phone = PhoneNumberField(_("mobile phone"), region="VN")
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="vi")
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment"),
    )
    status = models.CharField(_("status"), max_length=16, choices=FilingStatus, default=FilingStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} · {self.holder_name}"


class Declaration(Filing):
    """A submitted identity-card declaration: the CC01 items (answers) plus the fields officers search on."""

    request_type = models.CharField(_("request"), max_length=16, choices=reference.REQUEST_CHOICES)
    reason = models.CharField(_("reason"), max_length=32, choices=reference.REASON_CHOICES)
    sex = models.CharField(_("sex"), max_length=1, choices=reference.SEX_CHOICES)
    id_number = models.CharField(_("personal ID number"), max_length=12, db_index=True)
    notify_channel = models.CharField(_("preferred way to be notified"), max_length=8, default="sms")
    answers = models.JSONField(_("answers"), default=dict, help_text=_("Every CC01 item as the citizen declared it."))

    class Meta:
        verbose_name = _("identity card declaration")
        verbose_name_plural = _("identity card declarations")
        ordering = ("-submitted_at",)
        indexes = [models.Index(fields=["status", "-submitted_at"], name="decl_status_submitted")]


class Draft(models.Model):
    """A journey in progress, kept on the server for 7 days. `id` is the secret of the resume link.

    `data` holds what was typed, step by step, exactly as posted (valid or not), so nothing typed is ever lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    procedure_slug = models.SlugField(max_length=60, default="cap-cccd")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    declaration = models.OneToOneField(
        Declaration, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )
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

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return str(self.id)
