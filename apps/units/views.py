from django.views.generic import TemplateView

from .models import UnitKind
from .selectors import unit_list_active, unit_opening_hours_summary


class DirectoryView(TemplateView):
    template_name = "units/directory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        units = list(unit_list_active())
        for unit in units:
            unit.hours_summary = unit_opening_hours_summary(unit=unit)
        context["groups"] = [
            (label, [u for u in units if u.kind == kind])
            for kind, label in UnitKind.choices
            if any(u.kind == kind for u in units)
        ]
        return context
