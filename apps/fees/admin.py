from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import FeeReduction, FeeRule


def _reason_labels() -> dict:
    """The filing reasons' names (the rule stores the code, e.g. "first_card")."""
    from apps.declarations.reference import REASON_CHOICES

    return dict(REASON_CHOICES)


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        labels = _reason_labels()
        codes = FeeRule.objects.order_by("reason").values_list("reason", flat=True).distinct()
        return [(code, labels.get(code, code)) for code in codes if code]

    def queryset(self, request, queryset):
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ("procedure_slug", "reason_label", "amount", "starts_on", "ends_on", "basis")
    list_filter = ("procedure_slug", ReasonFilter)
    search_fields = ("procedure_slug", "reason", "basis")
    date_hierarchy = "starts_on"
    fields = ("procedure_slug", "reason", "amount", ("starts_on", "ends_on"), "basis", "basis_en")

    @admin.display(description=_("reason"), ordering="reason")
    def reason_label(self, obj):
        return _reason_labels().get(obj.reason, obj.reason) if obj.reason else "—"


@admin.register(FeeReduction)
class FeeReductionAdmin(admin.ModelAdmin):
    list_display = ("procedure_slug", "percent", "min_age", "below_age", "starts_on", "ends_on", "basis")
    list_filter = ("procedure_slug", "percent")
    search_fields = ("procedure_slug", "basis")
    fields = ("procedure_slug", "percent", ("min_age", "below_age"), ("starts_on", "ends_on"), "basis", "basis_en")
