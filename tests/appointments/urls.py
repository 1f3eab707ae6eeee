"""A minimal journey page around the slot picker, the way a journey includes it (used by the picker tests)."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from apps.appointments.forms import SlotPickerForm
from apps.appointments.services import appointment_hold
from apps.procedures.models import Procedure

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Journey</h1>'
    '{% if held %}<p id="held">{{ held.slot }}</p>{% endif %}'
    '{% include "appointments/_slot_picker.html" with picker=picker %}{% endblock %}'
)


def journey(request):
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    picker = SlotPickerForm(request.POST or None, procedure=procedure, query=request.GET)
    held = None
    if request.method == "POST" and picker.is_valid():
        try:
            held = appointment_hold(
                unit=picker.cleaned_data["unit"],
                procedure=procedure,
                starts_at=picker.cleaned_data["starts_at"],
                phone="0912345678",
                holder_key=request.POST.get("who", "test"),
            )
        except ValidationError as error:
            picker.add_service_error(error)
    return HttpResponse(PAGE.render({"picker": picker, "held": held}, request))


urlpatterns = [path("journey/", journey, name="journey")]
