from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import OpeningHours, PoliceUnit, UnitPhone
from .selectors import unit_home_cache_clear


class UnitPhoneInline(admin.TabularInline):
    model = UnitPhone
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(PoliceUnit)
class PoliceUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "address", "receives_id_applications", "is_active", "order")
    list_filter = ("kind", "receives_id_applications", "is_active")
    list_editable = ("order",)
    search_fields = ("name", "name_en", "address", "address_en", "area_served")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    inlines = (UnitPhoneInline, OpeningHoursInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("kind", "name", "name_en", "slug", "parent", "order", "is_active")}),
        (_("Contact"), {"fields": ("address", "address_en", "email", "map_url")}),
        (
            _("Area and services"),
            {"fields": ("ward_code", "area_served", "area_served_en", "receives_id_applications")},
        ),
    )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        unit_home_cache_clear()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The header/footer, the directory and the ward finder are served from the cache.
        unit_home_cache_clear()
