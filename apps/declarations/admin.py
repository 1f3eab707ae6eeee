from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import printing, services
from .models import Declaration, FilingStatus


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "holder_name",
        "birth_date",
        "request_type",
        "reason",
        "status",
        "submitted_at",
        "print_links",
    )
    list_filter = ("status", "request_type", "reason", "submitted_at")
    search_fields = ("=code", "holder_name", "=id_number", "=phone")
    date_hierarchy = "submitted_at"
    readonly_fields = (
        "code", "procedure", "holder_name", "birth_date", "sex", "id_number", "phone", "email", "language",
        "request_type", "reason", "notify_channel", "status", "submitted_at", "cancelled_at", "answers", "print_links",
    )  # fmt: skip
    fields = readonly_fields
    actions = ("cancel_selected",)

    def has_add_permission(self, request):
        return False

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
        declaration = get_object_or_404(Declaration.objects.select_related("procedure"), pk=pk)
        if not self.has_view_permission(request, declaration):
            raise PermissionError
        context = {**self.admin_site.each_context(request), "declaration": declaration, "opts": self.model._meta}
        context.update(extra(declaration))
        return TemplateResponse(request, template, context)

    def cc01_view(self, request, pk):
        return self._printable(request, pk, "declarations/admin/cc01.html", lambda d: {"items": printing.cc01_items(d)})

    def dc02_view(self, request, pk):
        return self._printable(
            request, pk, "declarations/admin/dc02.html", lambda d: {"dc02": printing.dc02_sections(d)}
        )
