from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import (
    AuditedAdminMixin,
    ScopedUnitFilter,
    SearchAdminMixin,
    UnitScopedAdminMixin,
    WorkflowAdminMixin,
    masked,
)
from apps.backoffice.masking import mask_id_number, mask_phone
from apps.backoffice.search import SearchFields
from apps.core.paging import EstimatedCountPaginator
from apps.procedures.forms.registry import form_class_for

from .models import Filing, FilingEvent
from .workflow import REVIEW


class FilingEventInline(admin.TabularInline):
    model = FilingEvent
    fields = ("at", "source", "state", "reason", "username")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(SearchAdminMixin, UnitScopedAdminMixin, AuditedAdminMixin, WorkflowAdminMixin, admin.ModelAdmin):
    """Every procedure's filings (the review queue): officers see those booked at their units and move them only
    through `services.filing_transition` (the buttons of the workflow)."""

    unit_field = "appointment__unit"
    workflow = REVIEW
    list_display = (
        "code",
        "procedure",
        "holder_name",
        masked("id_number", mask_id_number, _("card number")),
        masked("phone", mask_phone, _("phone")),
        "state",
        "visit",
        "submitted_at",
    )
    list_filter = (("appointment__unit", ScopedUnitFilter), "state", "procedure", "submitted_at")
    search_spec = SearchFields(code=("code",), phone=("phone",), id_number=("id_number",), name=("holder_name",))
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_select_related = ("procedure", "appointment__slot", "appointment__unit")
    fields = (
        "code",
        "procedure",
        "holder_name",
        "birth_date",
        "id_number",
        "phone",
        "email",
        "language",
        "details",
        "visit",
        "state",
        "officer_note",
        "submitted_at",
        "updated_at",
    )
    readonly_fields = tuple(name for name in fields if name != "officer_note")
    inlines = (FilingEventInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("details"))
    def details(self, obj: Filing) -> str:
        """The answers, with the procedure form's own labels and readable values where it has a short form."""
        form_class = form_class_for(obj.procedure.slug)
        # A procedure without a short form (the identity card) is read on its own printouts (CC01/DC02).
        rows = form_class.describe(obj.answers or {}) if form_class else []
        if not rows:
            return "—"
        return format_html('<dl class="filing-details">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description=_("visit"), ordering="appointment__slot__starts_at")
    def visit(self, obj: Filing) -> str:
        appointment = obj.appointment
        if appointment is None:
            return "—"
        return f"{appointment.unit.display_name} · {timezone.localtime(appointment.starts_at):%d/%m/%Y %H:%M}"
