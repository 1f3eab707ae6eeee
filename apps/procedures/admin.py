from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.backoffice.admin_mixins import AuditedAdminMixin

from .forms.registry import form_class_for
from .models import Procedure


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
