from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import AuditedAdminMixin, UnitScopedAdminMixin, masked
from apps.backoffice.masking import mask_id_number, mask_phone
from apps.backoffice.models import AuditAction
from apps.backoffice.services import audit_record
from apps.core.paging import EstimatedCountPaginator

from . import printing, services
from .models import Declaration, FilingStatus


@admin.register(Declaration)
class DeclarationAdmin(UnitScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    # Officers see the declarations booked at their own units (a district administrator sees every unit).
    unit_field = "appointment__unit"
    list_display = (
        "code",
        "holder_name",
        "birth_date",
        masked("id_number", mask_id_number, _("personal ID number")),
        masked("phone", mask_phone, _("mobile phone")),
        "request_type",
        "reason",
        "appointment_time",
        "status",
        "submitted_at",
        "print_links",
    )
    list_filter = ("status", "request_type", "reason", "appointment__unit", "submitted_at")
    search_fields = ("=code", "holder_name", "=id_number", "=phone")
    # A big table: no date bar (it reads every row for its years), counts estimated (apps.core.paging).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = (
        "code", "procedure", "holder_name", "birth_date", "sex", "id_number", "phone", "email", "language",
        "request_type", "reason", "notify_channel", "appointment", "status", "submitted_at", "cancelled_at", "answers",
        "print_links",
    )  # fmt: skip
    fields = readonly_fields
    actions = ("cancel_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("appointment__unit", "appointment__slot")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("appointment"), ordering="appointment__slot__starts_at")
    def appointment_time(self, obj):
        if obj.appointment is None:
            return "—"
        return f"{obj.appointment.unit.name} · {timezone.localtime(obj.appointment.starts_at):%d/%m/%Y %H:%M}"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("print"))
    def print_links(self, obj):
        return format_html(
            '<a href="{}">CC01</a> · <a href="{}">DC02</a>',
            reverse("admin:declarations_declaration_cc01", args=[obj.pk]),
            reverse("admin:declarations_declaration_dc02", args=[obj.pk]),
        )

    @admin.action(description=_("Cancel the selected declarations' bookings"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        done = 0
        for declaration in queryset.filter(status=FilingStatus.SUBMITTED):
            try:
                services.declaration_cancel(declaration=declaration)
            except ValidationError as error:
                self.message_user(request, f"{declaration.code}: {error.messages[0]}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d bookings cancelled.") % {"n": done}, messages.SUCCESS)

    def get_urls(self):
        return [
            path("<int:pk>/cc01/", self.admin_site.admin_view(self.cc01_view), name="declarations_declaration_cc01"),
            path("<int:pk>/dc02/", self.admin_site.admin_view(self.dc02_view), name="declarations_declaration_dc02"),
            *super().get_urls(),
        ]

    def _printable(self, request, pk, template, extra):
        declaration = get_object_or_404(self.get_queryset(request).select_related("procedure"), pk=pk)
        if not self.has_view_permission(request, declaration):
            raise PermissionDenied
        audit_record(user=request.user, action=AuditAction.VIEW, obj=declaration, detail=template.rsplit("/", 1)[-1])
        context = {**self.admin_site.each_context(request), "declaration": declaration, "opts": self.model._meta}
        context.update(extra(declaration))
        return TemplateResponse(request, template, context)

    def cc01_view(self, request, pk):
        return self._printable(request, pk, "declarations/admin/cc01.html", lambda d: {"items": printing.cc01_items(d)})

    def dc02_view(self, request, pk):
        return self._printable(
            request, pk, "declarations/admin/dc02.html", lambda d: {"dc02": printing.dc02_sections(d)}
        )
