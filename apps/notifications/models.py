import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    OTP = "otp", _("Confirmation code")
    # The identity card's booking: the filing is received and the visit booked.
    FILING_CONFIRMED = "filing_confirmed", _("Filing confirmation")
    # Any other procedure's booking (passport, vehicle, residence…): the procedure's name is a placeholder.
    PROCEDURE_BOOKED = "procedure_booked", _("Procedure booking confirmation")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    APPOINTMENT_MOVED = "appointment_moved", _("Appointment moved")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    FILING_STATUS_CHANGED = "filing_status_changed", _("Filing status changed")
    REPORT_RECEIVED = "report_received", _("Report received")
    REPORT_ANSWERED = "report_answered", _("Report answered")
    # A handler's reply to a citizen who wrote to the Official Account (OA consultation message, else SMS).
    REPORT_REPLY = "report_reply", _("Reply to a report")
    # The OA's "request user info" message: asks a follower to share name and phone (Zalo only).
    CONTACT_REQUEST = "contact_request", _("Request for contact details")


class Language(models.TextChoices):
    VI = "vi", _("Vietnamese")
    EN = "en", _("English")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Technical failure")
    PERMANENT_FAILURE = "permanent_failure", _("Permanent failure")
    # Not sent: a ceiling on paid messages was reached (apps/notifications/ceilings.py); officers see it.
    CAPPED = "capped", _("Not sent: limit reached")


class Channel(models.TextChoices):
    ZNS = "zns", _("Zalo ZNS")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    OUTBOX = "outbox", _("Development outbox")
    ZALO_OA = "zalo_oa", _("Zalo OA message")


class Outcome(models.TextChoices):
    SENT = "sent", _("Accepted by the provider")
    TRANSIENT = "transient", _("Temporary failure, retried")
    PERMANENT = "permanent", _("Refused, not retried")
    INTERRUPTED = "interrupted", _("Interrupted, outcome unknown")


class RefusalReason(models.TextChoices):
    """Why a channel refused a message for good, in words an officer acts on (OA consultation messages)."""

    OUTSIDE_WINDOW = "outside_window", _("Outside Zalo's sending window (no message from the citizen for 7 days)")
    NOT_FOLLOWER = "not_follower", _("The citizen no longer follows the Official Account")
    REFUSED = "refused", _("Refused by Zalo")


class MessageTemplate(models.Model):
    """The text of one kind of message in one language, edited by officers. Placeholders are `{name}`."""

    kind = models.CharField(_("kind"), max_length=40, choices=Kind)
    language = models.CharField(_("language"), max_length=8, choices=Language)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(
        _("text"),
        help_text=_("Sent by SMS and e-mail and shown in the outbox. Placeholders in braces, e.g. {code}."),
    )
    zns_template_id = models.CharField(
        _("Zalo ZNS template id"),
        max_length=32,
        blank=True,
        help_text=_(
            "The id Zalo issued when it approved the matching ZNS template, registered with the placeholders of "
            "this text as parameters (nothing else); empty = not sent by Zalo."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ("kind", "language")
        constraints = [
            models.UniqueConstraint(fields=("kind", "language"), name="notifications_template_unique_kind_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class Notification(models.Model):
    """An outbox row: one message to one citizen, written in the transaction of the event that causes it.

    Only `services` change `status`. `idempotency_key` is sent to providers as the ZNS tracking id and the SMS
    request id; it never changes, so a retry after a send whose answer was lost is recognised by the provider.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=Kind)
    language = models.CharField(_("language"), max_length=8, choices=Language, default=Language.VI)
    context = models.JSONField(_("data"), default=dict, blank=True)
    # Secret values (a one-time code) sealed with SECRET_KEY; erased once the message is finished with.
    sealed_context = models.TextField(editable=False, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The citizen's OA-scoped Zalo id (a follower who wrote to the Official Account): OA consultation messages.
    zalo_user_id = models.CharField(_("Zalo follower id"), max_length=64, blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("about (type)"), db_index=False
    )
    subject_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    # Indexes: every one costs each reminder's INSERT (2,000,000 rows, 50,000 reminders a day), so only those a
    # query uses. Status is the first column of `notifications_due_idx`; the unique columns are constraints
    # (Meta), which unlike `unique=True` get no second `varchar_pattern_ops` index that no LIKE query uses.
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.QUEUED)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    channel_attempts = models.PositiveSmallIntegerField(_("attempts on this channel"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=48, editable=False)
    verification_code = models.CharField(_("verification code"), max_length=16, editable=False)
    dedup_key = models.CharField(_("once-only key"), max_length=120, null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    provider_answer = models.TextField(_("provider answer"), blank=True)
    body = models.TextField(_("text sent"), blank=True, help_text=_("Secret codes are masked."))
    resent_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
        db_index=False,  # almost always empty: a partial index (Meta)
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    enqueued_at = models.DateTimeField(_("handed to the queue"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set by the provider's delivery receipt (ZNS "user_received_message"): the message reached the phone.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Not sent after this time (e.g. a confirmation code).")
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        permissions = [("resend_notification", _("Can resend messages to citizens"))]
        indexes = [
            models.Index(fields=("status", "next_attempt_at"), name="notifications_due_idx"),
            # The citizen's language (their latest message to this phone) for reminders and appointment changes.
            models.Index(fields=("phone", "-created_at"), name="notifications_phone_recent"),
            # A subject's messages (privacy erasure); the resends of a message (a few rows).
            models.Index(fields=("subject_type", "subject_id"), name="notifications_subject"),
            models.Index(
                fields=("resent_from",), name="notifications_resent_from", condition=models.Q(resent_from__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=("idempotency_key",), name="notifications_unique_idempotency_key"),
            models.UniqueConstraint(fields=("verification_code",), name="notifications_unique_verification_code"),
            models.UniqueConstraint(fields=("dedup_key",), name="notifications_unique_dedup_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {Status.SENT, Status.FAILED, Status.PERMANENT_FAILURE, Status.CAPPED}


class CeilingTrip(models.Model):
    """A ceiling on paid messages refused messages today: shown to officers on the back office's dashboard."""

    class Scope(models.TextChoices):
        GLOBAL = "global", _("Whole portal, per day")
        CLIENT = "client", _("One device address")
        SESSION = "session", _("One browser")
        PHONE = "phone", _("One phone number")
        BOOKING = "booking", _("One booking")

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=40, choices=Kind)
    scope = models.CharField(_("limit"), max_length=10, choices=Scope)
    count = models.PositiveIntegerField(_("messages refused"), default=0)
    first_at = models.DateTimeField(_("first"), default=timezone.now)
    last_at = models.DateTimeField(_("last"), default=timezone.now)

    class Meta:
        verbose_name = _("message limit reached")
        verbose_name_plural = _("message limits reached")
        ordering = ("-day", "-last_at")
        constraints = [
            models.UniqueConstraint(fields=("day", "kind", "scope"), name="notifications_ceiling_trip_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.scope}: {self.count}"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome, default=Outcome.INTERRUPTED)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    provider_answer = models.TextField(_("provider answer"), blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ("started_at", "id")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"


class OutboxMessage(models.Model):
    """What the embedded default "sends": kept in the database and shown at the DEBUG-only /dev/outbox/."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="outbox_message", verbose_name=_("notification")
    )
    recipient = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"→ {self.recipient}"


class OtpChallenge(models.Model):
    """A one-time confirmation code sent to a phone. Only a salted HMAC of the code is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phone = models.CharField(_("phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=60)
    language = models.CharField(_("language"), max_length=8, choices=Language, default=Language.VI)
    client_hash = models.CharField(_("client (hashed)"), max_length=64, blank=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("message")
    )

    class Meta:
        verbose_name = _("confirmation code")
        verbose_name_plural = _("confirmation codes")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("phone", "created_at"), name="notifications_otp_phone_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class ZaloToken(models.Model):
    """The Zalo Official Account's access/refresh token pair. The refresh token rotates on every refresh, so the
    pair lives here (sealed), not in the environment; a refresh locks this row."""

    oa_key = models.CharField(_("official account"), max_length=40, unique=True, default="default")
    access_token_sealed = models.TextField(blank=True, editable=False)
    refresh_token_sealed = models.TextField(blank=True, editable=False)
    expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    last_error = models.TextField(_("last refresh error"), blank=True)

    class Meta:
        verbose_name = _("Zalo OA token")
        verbose_name_plural = _("Zalo OA tokens")

    def __str__(self) -> str:
        return self.oa_key


class ZaloFollower(models.Model):
    """A Zalo user who interacted with the Official Account (OA-scoped id from the webhook's `sender.id`).

    `last_interaction_at` opens the consultation-message window (apps.notifications.zalo_api.CS_WINDOW); `shared_*`
    hold what the follower chose to share through the OA's "request user info" message."""

    user_id = models.CharField(_("Zalo follower id"), max_length=64, unique=True)
    user_id_by_app = models.CharField(_("Zalo id for the app"), max_length=64, blank=True)
    is_follower = models.BooleanField(_("follows the OA"), default=True)
    followed_at = models.DateTimeField(_("followed"), null=True, blank=True)
    unfollowed_at = models.DateTimeField(_("unfollowed"), null=True, blank=True)
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)
    shared_name = models.CharField(_("shared name"), max_length=120, blank=True)
    shared_phone = models.CharField(_("shared phone"), max_length=20, blank=True)
    shared_address = models.CharField(_("shared address"), max_length=300, blank=True)
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("Zalo follower")
        verbose_name_plural = _("Zalo followers")

    def __str__(self) -> str:
        return f"Zalo …{self.user_id[-4:]}"
