from django.contrib import admin

from apps.core.paging import EstimatedCountPaginator

from .models import Filing, FilingEvent


class FilingEventInline(admin.TabularInline):
    model = FilingEvent
    fields = ("at", "source", "state", "reason", "username")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Read-only here: the state moves only through `services.filing_transition` (the back office's actions)."""

    list_display = ("code", "holder_name", "procedure", "state", "submitted_at")
    list_filter = ("state", "procedure", "submitted_at")
    search_fields = ("code",)
    list_select_related = ("procedure",)
    # A big table: counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    readonly_fields = (
        "code",
        "procedure",
        "holder_name",
        "birth_date",
        "id_number",
        "phone",
        "email",
        "language",
        "answers",
        "form_version",
        "appointment",
        "state",
        "submitted_at",
    )
    fields = (*readonly_fields, "officer_note")
    inlines = (FilingEventInline,)

    def has_add_permission(self, request):
        return False
