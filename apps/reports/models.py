from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField


class ReportCategory(models.TextChoices):
    CRIME = "crime", _("Crime (theft, robbery, fraud, assault…)")
    SECURITY = "security", _("Security and public order (fights, noise, gatherings…)")
    FEEDBACK = "feedback", _("Feedback on the police's work")
    OTHER = "other", _("Other, not yet classified")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned to an officer")
    IN_PROGRESS = "in_progress", _("Being handled")
    ANSWERED = "answered", _("Answered")
    # A context of its own: the slot picker's "Closed" (a day off, "Nghỉ") is another word in Vietnamese.
    CLOSED = "closed", pgettext_lazy("report status", "Closed")
    FORWARDED = "forwarded", _("Forwarded to another unit")


class ReportSource(models.TextChoices):
    WEB = "web", _("Web form")
    ZALO = "zalo", _("Zalo chat")


OPEN_STATUSES = (ReportStatus.RECEIVED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS, ReportStatus.FORWARDED)


class ReportQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, *, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class Report(models.Model):
    """A citizen's report. An anonymous report stores nothing that identifies the reporter: no name, no phone,
    no Zalo id and no IP address (the portal never stores IP addresses with reports at all)."""

    code = models.CharField(_("tracking code"), max_length=16, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=16, choices=ReportCategory)
    description = models.TextField(_("what happened"), max_length=4000)
    unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit handling it")
    )
    address = models.CharField(_("where"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    # The privacy notice (apps.privacy) the reporter accepted with their contact details; none when anonymous.
    notice_version = models.PositiveIntegerField(_("privacy notice accepted"), null=True, blank=True, editable=False)
    contact_name = models.CharField(_("reporter's name"), max_length=120, blank=True)
    contact_phone = PhoneNumberField(_("reporter's phone"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="vi", editable=False)
    source = models.CharField(_("source"), max_length=8, choices=ReportSource, default=ReportSource.WEB)
    zalo_msg_id = models.CharField(_("Zalo message id"), max_length=64, null=True, blank=True, editable=False)
    zalo_user_id = models.CharField(_("Zalo user id"), max_length=64, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus, default=ReportStatus.RECEIVED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_reports",
        verbose_name=_("handler"),
    )
    answer = models.TextField(_("answer to the reporter"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    # Set when the reporter's phone was confirmed (or at once for anonymous and Zalo reports); only confirmed
    # reports reach a unit's queue.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # A Zalo chat report is a conversation: the time of its latest chat message (ChatEntry), and how many of a
    # flood's messages were only counted, not kept (settings.ZALO_CONVERSATION_MAX_ENTRIES).
    last_message_at = models.DateTimeField(_("last chat message"), null=True, blank=True)
    dropped_messages = models.PositiveIntegerField(_("chat messages not kept"), default=0, editable=False)
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ("-created_at",)
        permissions = [("assign_report", _("Can assign reports to officers and forward them"))]
        indexes = [
            # A follower's current Zalo conversation (apps.reports.conversations).
            models.Index(fields=("zalo_user_id", "last_message_at"), name="reports_zalo_conversation_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=("zalo_msg_id",), name="reports_unique_zalo_msg_id"),
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | (models.Q(contact_name="", contact_phone="", zalo_user_id="")),
                name="reports_anonymous_has_no_contact",
                violation_error_message=_("An anonymous report keeps no contact details."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_at < timezone.now()


def report_photo_storage():
    """Photos of reports are evidence: the private storage (settings.STORAGES["private"], local disk or a bucket),
    never served by the web server (they have no URL), shown only to officers who may see the report
    (ReportAdmin.photo_view)."""
    from apps.core.storage import PrivateStorage

    return PrivateStorage()


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report"))
    image = models.ImageField(_("photo"), upload_to="%Y/%m/", storage=report_photo_storage)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name


class ReportEvent(models.Model):
    """One step of a report's history: who moved it from which state to which, when, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report"))
    from_status = models.CharField(_("from"), max_length=16, choices=ReportStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ReportStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    to_unit = models.ForeignKey(
        "units.PoliceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded to"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class ChatKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    FILE = "file", _("File")
    LOCATION = "location", _("Location")
    STICKER = "sticker", _("Sticker")
    LINK = "link", _("Link")
    AUDIO = "audio", _("Voice message")
    VIDEO = "video", _("Video")
    REPLY = "reply", _("Reply from the police")
    CONTACT_REQUEST = "contact_request", _("Request for contact details")
    CONTACT_SHARED = "contact_shared", _("Contact details shared")


class ChatDirection(models.TextChoices):
    IN = "in", _("From the citizen")
    OUT = "out", _("From the police")


class ChatEntry(models.Model):
    """One message of a Zalo conversation, kept on the report it belongs to: what the citizen sent (text, image,
    file, location, sticker, link…) and what officers answered (through the notifications outbox)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="chat", verbose_name=_("report"))
    direction = models.CharField(_("direction"), max_length=4, choices=ChatDirection)
    kind = models.CharField(_("kind"), max_length=16, choices=ChatKind)
    # Zalo's msg_id of an incoming message: Zalo delivers at least once, a repeat is recognised by it.
    msg_id = models.CharField(_("Zalo message id"), max_length=64, null=True, blank=True, unique=True)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    photo = models.ForeignKey(
        ReportPhoto, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("photo")
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message sent"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("conversation")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("report", "created_at"), name="reports_chat_report_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.direction} {self.kind}"
