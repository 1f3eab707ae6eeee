from django.contrib import admin

from apps.units.admin import PoliceUnitAdmin
from apps.units.models import PoliceUnit

from .admin_mixins import AuditedAdminMixin, ExportAdminMixin, ScopedUnitFilter, UnitScopedAdminMixin
from .models import AuditLogEntry, StateTransition
from .scoping import user_sees_all_units


class ReadOnlyAdminMixin:
    """Records written by services only: nobody adds, edits or deletes them in admin, not even a superuser."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "content_type", "object_repr", "unit", "detail")
    list_filter = ("action", ("unit", admin.RelatedOnlyFieldListFilter), "content_type", "at")
    search_fields = ("username", "object_repr", "object_id")
    list_select_related = ("content_type", "unit")
    date_hierarchy = "at"
    fields = ("at", "user", "username", "action", "content_type", "object_id", "object_repr", "unit", "detail")
    readonly_fields = fields
    list_per_page = 100
    export_filename = "nhat-ky"

    # District administrators only (the permission `access_all_units` comes with their role).
    def has_module_permission(self, request):
        return user_sees_all_units(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return user_sees_all_units(request.user) and super().has_view_permission(request, obj)


@admin.register(StateTransition)
class StateTransitionAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, ExportAdminMixin, admin.ModelAdmin):
    unit_field = "unit"
    export_filename = "chuyen-trang-thai"
    list_display = ("at", "object_repr", "source", "target", "username", "unit", "reason")
    list_filter = (("unit", ScopedUnitFilter), "content_type", "target", "at")
    search_fields = ("object_repr", "object_id", "username", "reason")
    list_select_related = ("unit",)
    date_hierarchy = "at"
    fields = (
        "at",
        "user",
        "username",
        "content_type",
        "object_id",
        "object_repr",
        "unit",
        "source",
        "target",
        "reason",
    )
    readonly_fields = fields


# The units app's admin, limited to the officer's own units: a unit administrator keeps the phones and opening
# hours of their station up to date; the structure (kind, parent, address slug) is the district's business.
admin.site.unregister(PoliceUnit)


@admin.register(PoliceUnit)
class ScopedPoliceUnitAdmin(UnitScopedAdminMixin, AuditedAdminMixin, PoliceUnitAdmin):
    unit_field = "pk"
    district_only_fields = ("kind", "slug", "parent", "receives_id_applications", "is_active", "order")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not user_sees_all_units(request.user):
            fields += [f for f in self.district_only_fields if f not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if user_sees_all_units(request.user) else {}

    def has_add_permission(self, request):
        return user_sees_all_units(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return user_sees_all_units(request.user) and super().has_delete_permission(request, obj)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if user_sees_all_units(request.user) else ()
