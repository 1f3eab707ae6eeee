from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.backoffice.admin_mixins import FastActionCheckboxMixin, SearchAdminMixin
from apps.backoffice.search import SearchFields
from apps.core.paging import EstimatedCountPaginator

from .forms import MessageTemplateForm
from .models import DeliveryAttempt, MessageTemplate, Notification, OtpChallenge, ZaloFollower, ZaloToken
from .selectors import notification_about_code_q
from .services.zalo_token import ZaloTokenError, zalo_token_refresh
from .templating import PLACEHOLDERS, SAMPLE_CONTEXT, render_text


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("kind", "language", "zns_template_id", "updated_at")
    list_filter = ("kind", "language")
    search_fields = ("body", "subject", "zns_template_id")
    readonly_fields = ("placeholders", "preview", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "language", "subject", "body", "placeholders", "preview")}),
        (_("Zalo"), {"fields": ("zns_template_id",)}),
        (None, {"fields": ("updated_at",)}),
    )

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, obj):
        if obj is None or not obj.kind:
            return "—"
        return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS.get(obj.kind, ()))

    @admin.display(description=_("preview with sample data"))
    def preview(self, obj):
        if obj is None or not obj.body:
            return _("Save the template to see a preview.")
        subject = render_text(obj.subject, SAMPLE_CONTEXT)
        body = render_text(obj.body, SAMPLE_CONTEXT)
        return format_html("<strong>{}</strong><br>{}", subject, body) if subject else body


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("channel", "outcome", "reason", "started_at", "finished_at", "provider_message_id", "provider_answer")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeliveredFilter(admin.SimpleListFilter):
    title = _("delivery receipt")
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("yes", _("Delivered to the phone")), ("no", _("Sent, no receipt yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(delivered_at__isnull=True, status="sent")
        return queryset


@admin.register(Notification)
class NotificationAdmin(FastActionCheckboxMixin, SearchAdminMixin, admin.ModelAdmin):
    """The delivery log. Read-only: only the delivery service changes a message; "resend" makes a new one."""

    list_display = ("id", "kind", "recipient", "language", "delivery", "channel", "attempts", "created_at", "sent_at")
    list_filter = (DeliveredFilter, "status", "kind", "channel", "language", "created_at")
    # Searched only through indexes that already serve other queries (2,000,000 rows, written by every reminder,
    # where a scan took 7-24 s): the phone (whole: its btree; a part: its trigram index) and the whole verification
    # code (unique). A citizen's name or filing code is searched on the appointments' and filings' lists.
    search_spec = SearchFields(code_exact=("verification_code",), phone=("phone",))
    search_help_text = _("Phone (0…, +84…) or a part of it, the message's verification code, or a whole filing code.")

    def get_search_results(self, request, queryset, search_term):
        """Also the messages about one filing, by its whole code: the filing and its booking are found by their
        unique codes, then their messages through the (subject type, subject id) index."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        about = notification_about_code_q(term=search_term)
        return (found | queryset.filter(about), duplicates) if about is not None else (found, duplicates)

    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ("resend",)
    inlines = (DeliveryAttemptInline,)
    fields = (
        "kind",
        "language",
        "phone",
        "email",
        "zalo_user_id",
        "status",
        "channel",
        "attempts",
        "channel_attempts",
        "verification_code",
        "idempotency_key",
        "dedup_key",
        "context",
        "body",
        "provider_message_id",
        "provider_answer",
        "resent_from",
        "created_at",
        "enqueued_at",
        "sending_since",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "delivered_at",
        "failed_at",
        "expires_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("to"))
    def recipient(self, obj):
        return obj.phone or obj.email or (f"Zalo …{obj.zalo_user_id[-6:]}" if obj.zalo_user_id else "")

    @admin.display(description=_("status"), ordering="status")
    def delivery(self, obj):
        """Sent, then delivered when the provider's receipt came (ZNS), or the failure."""
        if obj.delivered_at:
            return _("Delivered to the phone")
        return obj.get_status_display()

    @admin.action(description=_("Resend the selected messages"), permissions=["resend"])
    def resend(self, request, queryset):
        # Bounded and audited by the back office's service (a resend costs money and reaches a citizen).
        from apps.backoffice.services import notification_resend_by_officer

        try:
            resent, refused = notification_resend_by_officer(user=request.user, notifications=queryset)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return
        if resent:
            self.message_user(
                request,
                ngettext("%(count)d message queued again.", "%(count)d messages queued again.", resent)
                % {"count": resent},
                messages.SUCCESS,
            )
        for message in sorted(set(refused)):
            self.message_user(request, message, messages.WARNING)

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.resend_notification")


@admin.register(OtpChallenge)
class OtpChallengeAdmin(admin.ModelAdmin):
    """Confirmation codes: who asked and what happened. The code itself is never stored, so never shown."""

    list_display = ("phone", "purpose", "created_at", "expires_at", "failed_attempts", "verified_at")
    list_filter = ("purpose", "created_at")
    search_fields = ("=phone",)
    fields = (
        "phone",
        "purpose",
        "language",
        "created_at",
        "expires_at",
        "failed_attempts",
        "verified_at",
        "notification",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ZaloToken)
class ZaloTokenAdmin(admin.ModelAdmin):
    """The OA token's state. The tokens themselves are sealed and never displayed."""

    list_display = ("oa_key", "expires_at", "refreshed_at", "has_refresh_token")
    fields = ("oa_key", "has_refresh_token", "expires_at", "refreshed_at", "last_error")
    readonly_fields = fields
    actions = ("refresh_now",)

    @admin.action(description=_("Refresh the access token now"), permissions=["view"])
    def refresh_now(self, request, queryset):
        try:
            zalo_token_refresh(force=True)
        except ZaloTokenError:
            self.message_user(
                request,
                _("Zalo refused the refresh; see the last refresh error. An OA administrator must grant access again."),
                messages.ERROR,
            )
        else:
            self.message_user(request, _("The access token was refreshed."), messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("refresh token stored"), boolean=True)
    def has_refresh_token(self, obj):
        return bool(obj.refresh_token_sealed)


@admin.register(ZaloFollower)
class ZaloFollowerAdmin(admin.ModelAdmin):
    """Who interacted with the Official Account: follow/unfollow, the last interaction (Zalo's sending window) and
    what the follower chose to share. Read-only: only webhook events change it."""

    list_display = ("__str__", "is_follower", "last_interaction_at", "followed_at", "unfollowed_at", "shared_at")
    list_filter = ("is_follower",)
    search_fields = ("=user_id", "=shared_phone")
    fields = (
        "user_id",
        "user_id_by_app",
        "is_follower",
        "followed_at",
        "unfollowed_at",
        "last_interaction_at",
        "shared_name",
        "shared_phone",
        "shared_address",
        "shared_at",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
