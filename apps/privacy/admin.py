from django.contrib import admin

from .models import PrivacyNotice, SubjectRequest
from .services.notices import privacy_notice_current, privacy_notice_publish


@admin.register(SubjectRequest)
class SubjectRequestAdmin(admin.ModelAdmin):
    """The log of citizens' data requests: read only (written by the services of the requests page)."""

    list_display = ("at", "officer", "action", "subject", "reason")
    list_filter = ("action", "at")
    search_fields = ("officer__username", "reason")
    readonly_fields = ("at", "officer", "action", "subject", "reason", "counts")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Each save adds a new version (services.notices.privacy_notice_publish): filings keep the one they accepted."""

    list_display = ("version", "published_at", "created_at")
    fields = (
        "published_at",
        "notice",
        "notice_en",
        "sensitive_consent",
        "sensitive_consent_en",
        "declaration",
        "declaration_en",
    )
    readonly_fields = ("version",)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        """A new version starts from the one in force."""
        current = privacy_notice_current()
        if current is None:
            return super().get_changeform_initial_data(request)
        return {name: getattr(current, name) for name in self.fields if name != "published_at"}

    def save_model(self, request, obj, form, change):
        privacy_notice_publish(notice=obj)
