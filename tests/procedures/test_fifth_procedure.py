"""Adding a procedure takes one form class and one catalogue entry: no view, template, booking or notification
code changes. This test adds "residence information confirmation" and books it end to end."""

import pytest
from django import forms

from apps.appointments.models import Appointment, AppointmentStatus
from apps.filings.models import Filing
from apps.procedures.forms import ProcedureForm, register, unregister
from apps.procedures.forms.base import IdNumberField
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit

from .journey import book

SLUG = "xac-nhan-cu-tru"


@pytest.fixture
def fifth_procedure(demo_data):
    @register(SLUG)
    class ResidenceConfirmationForm(ProcedureForm):
        id_number_field = "id_number"

        id_number = IdNumberField()
        purpose = forms.ChoiceField(label="Mục đích", choices=[("bank", "Ngân hàng"), ("school", "Nhập học")])

    procedure = Procedure.objects.create(
        slug=SLUG,
        name="Xác nhận thông tin về cư trú",
        name_en="Confirmation of residence information",
        summary="Công dân cần giấy xác nhận thông tin về cư trú.",
        documents="Thẻ căn cước",
        order=6,
    )
    procedure.units.set(PoliceUnit.objects.filter(booking_schedule__is_active=True))
    yield procedure
    unregister(SLUG)


@pytest.mark.django_db
def test_a_fifth_procedure_is_listed_and_booked(client, fifth_procedure, django_capture_on_commit_callbacks):
    listing = client.get("/thu-tuc/").content.decode()
    assert "Xác nhận thông tin về cư trú" in listing
    about = client.get(f"/thu-tuc/{SLUG}/gioi-thieu/").content.decode()
    assert f'href="/thu-tuc/{SLUG}/"' in about  # the "Book a visit" button
    form_page = client.get(f"/thu-tuc/{SLUG}/").content.decode()
    assert "Mục đích" in form_page
    data = {"holder_name": "Lê Thị Cúc", "phone": "0901234567", "id_number": "079203001234", "purpose": "bank"}
    done = book(client, django_capture_on_commit_callbacks, SLUG, data)
    assert done.status_code == 200
    request = Filing.objects.get(procedure=fifth_procedure)
    assert request.answers == {"id_number": "079203001234", "purpose": "bank"}
    appointment = Appointment.objects.get(reference=request.code)
    assert appointment.status == AppointmentStatus.BOOKED and appointment.procedure == fifth_procedure
    assert appointment.holder_name == "Lê Thị Cúc" and appointment.id_number == "079203001234"


@pytest.mark.django_db
def test_after_unregistering_the_journey_is_gone(client, demo_data):
    Procedure.objects.create(slug="chua-co-mau", name="Chưa có mẫu")
    assert client.get("/thu-tuc/chua-co-mau/").status_code == 404
