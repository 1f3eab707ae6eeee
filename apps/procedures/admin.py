from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import (
    AuditedAdminMixin,
    SearchAdminMixin,
    UnitScopedAdminMixin,
    WorkflowAdminMixin,
    masked,
)
from apps.backoffice.masking import mask_phone
from apps.backoffice.search import SearchFields
from apps.core.paging import EstimatedCountPaginator

from .forms.registry import form_class_for
from .models import Procedure, ProcedureRequest
from .workflow import REVIEW


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
class ProcedureRequestAdmin(
    SearchAdminMixin, UnitScopedAdminMixin, AuditedAdminMixin, WorkflowAdminMixin, admin.ModelAdmin
):
    """Officers see the requests booked at their units and move them through the review workflow."""

    unit_field = "appointment__unit"
    workflow = REVIEW
    list_display = ("code", "procedure", "holder_name", masked("phone", mask_phone, _("phone")), "status", "visit")
    list_filter = ("status", "procedure", "language", "created_at")
    search_spec = SearchFields(
        code=("code",), phone=("phone",), id_number=("appointment__id_number",), name=("holder_name",)
    )
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_select_related = ("procedure", "appointment__slot", "appointment__unit")
    fields = (
        "procedure",
        "code",
        "holder_name",
        "phone",
        "language",
        "details",
        "visit",
        "status",
        "officer_note",
        "created_at",
        "submitted_at",
        "updated_at",
    )
    readonly_fields = tuple(name for name in fields if name != "officer_note")

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

    @admin.display(description=_("visit"), ordering="appointment__slot__starts_at")
    def visit(self, obj: ProcedureRequest) -> str:
        appointment = obj.appointment
        if appointment is None:
            return "—"
        return f"{appointment.unit.display_name} · {timezone.localtime(appointment.starts_at):%d/%m/%Y %H:%M}"
