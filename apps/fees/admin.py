from django.contrib import admin

from .models import FeeReduction, FeeRule


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ("procedure_slug", "reason", "amount", "starts_on", "ends_on", "basis")
    list_filter = ("procedure_slug", "reason")
    search_fields = ("procedure_slug", "reason", "basis")
    date_hierarchy = "starts_on"
    fields = ("procedure_slug", "reason", "amount", ("starts_on", "ends_on"), "basis", "basis_en")


@admin.register(FeeReduction)
class FeeReductionAdmin(admin.ModelAdmin):
    list_display = ("procedure_slug", "percent", "min_age", "below_age", "starts_on", "ends_on", "basis")
    list_filter = ("procedure_slug", "percent")
    search_fields = ("procedure_slug", "basis")
    fields = ("procedure_slug", "percent", ("min_age", "below_age"), ("starts_on", "ends_on"), "basis", "basis_en")
