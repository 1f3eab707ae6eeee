from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import services
from .forms.registry import form_class_for
from .models import Procedure, ProcedureRequest


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "has_form", "order")
    list_filter = ("is_active", "units")
    list_editable = ("order",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("units",)
    fieldsets = (
        (None, {"fields": ("slug", "name", "name_en", "is_active", "order", "units")}),
        (_("Vietnamese"), {"fields": ("summary", "documents", "fee", "processing_time", "legal_basis")}),
        (
            _("English"),
            {"fields": ("summary_en", "documents_en", "fee_en", "processing_time_en", "legal_basis_en")},
        ),
    )

    @admin.display(boolean=True, description=_("online form"))
    def has_form(self, obj: Procedure) -> bool:
        return obj.slug == Procedure.IDENTITY_CARD or form_class_for(obj.slug) is not None


@admin.register(ProcedureRequest)
class ProcedureRequestAdmin(admin.ModelAdmin):
    list_display = ("code", "procedure", "holder_name", "phone", "status", "submitted_at")
    list_filter = ("status", "procedure", "language")
    search_fields = ("code", "holder_name", "phone")
    date_hierarchy = "created_at"
    list_select_related = ("procedure",)
    readonly_fields = (
        "procedure",
        "code",
        "holder_name",
        "phone",
        "language",
        "details",
        "status",
        "created_at",
        "submitted_at",
        "updated_at",
    )
    fields = (*readonly_fields[:5], "details", "status", "officer_note", "created_at", "submitted_at", "updated_at")
    actions = ("accept", "return_for_corrections", "complete", "cancel")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("details"))
    def details(self, obj: ProcedureRequest) -> str:
        """The stored data, labelled with the procedure form's own labels and readable values."""
        form_class = form_class_for(obj.procedure.slug)
        rows = form_class.describe(obj.data) if form_class else [(key, str(value)) for key, value in obj.data.items()]
        if not rows:
            return "—"
        return format_html(
            '<dl class="procedure-request-details">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    def _run(self, request, queryset, service, done_message, **kwargs) -> None:
        changed = 0
        for obj in queryset:
            try:
                service(request=obj, **kwargs)
            except ValidationError as exc:
                self.message_user(request, f"{obj.code}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Accept the file"), permissions=["change"])
    def accept(self, request, queryset):
        self._run(request, queryset, services.procedure_request_accept, _("%(count)d request(s) accepted."))

    @admin.action(description=_("Return for corrections (with the officer's note)"), permissions=["change"])
    def return_for_corrections(self, request, queryset):
        for obj in queryset:
            self._run(
                request,
                [obj],
                services.procedure_request_return,
                _("%(count)d request(s) returned."),
                note=obj.officer_note,
            )

    @admin.action(description=_("Mark as completed"), permissions=["change"])
    def complete(self, request, queryset):
        self._run(request, queryset, services.procedure_request_complete, _("%(count)d request(s) completed."))

    @admin.action(description=pgettext_lazy("admin action", "Cancel the request"), permissions=["change"])
    def cancel(self, request, queryset):
        self._run(request, queryset, services.procedure_request_cancel, _("%(count)d request(s) cancelled."))
