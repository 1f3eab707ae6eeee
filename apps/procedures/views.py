from django.http import Http404
from django.views.generic import ListView, TemplateView

from .selectors import (
    procedure_get_active,
    procedure_has_online_journey,
    procedure_list_active,
    procedure_units_with_hours,
)


class ProcedureListView(ListView):
    template_name = "procedures/procedure_list.html"
    context_object_name = "procedures"

    def get_queryset(self):
        return procedure_list_active()


class ProcedureDetailView(TemplateView):
    template_name = "procedures/procedure_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure = procedure_get_active(slug=kwargs["slug"])
        if procedure is None:
            raise Http404
        context.update(
            procedure=procedure,
            units=procedure_units_with_hours(procedure=procedure),
            can_book=procedure_has_online_journey(procedure=procedure),
        )
        return context
