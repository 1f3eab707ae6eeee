from django.contrib import admin

from .models import SubjectRequest


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
