import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.core.codes import code_is_valid
from apps.procedures.models import RequestStatus
from apps.procedures.services import procedure_request_create, procedure_request_submit

from .factories import ProcedureFactory, ProcedureRequestFactory

PASSPORT = {"id_number": "079 203 001 234", "request_type": "first", "purpose": "tourism", "current_passport": ""}


@pytest.mark.django_db
def test_create_stores_the_cleaned_data_under_a_readable_code():
    procedure = ProcedureFactory(slug="ho-chieu")
    request = procedure_request_create(
        procedure=procedure, holder_name="Trần Thị Bình", phone="+84901234567", language="en", data=PASSPORT
    )
    assert request.status == RequestStatus.DRAFT
    assert code_is_valid(request.code)
    assert request.data["id_number"] == "079203001234"
    assert request.language == "en"


@pytest.mark.django_db
def test_create_refuses_data_the_form_refuses():
    procedure = ProcedureFactory(slug="ho-chieu")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        procedure_request_create(
            procedure=procedure,
            holder_name="Trần Thị Bình",
            phone="+84901234567",
            language="vi",
            data={**PASSPORT, "request_type": "expiring"},
        )
    assert "Current passport number" in exc.value.messages[0]


@pytest.mark.django_db
def test_create_refuses_procedures_without_a_form_or_inactive():
    with pytest.raises(ValidationError):
        procedure_request_create(
            procedure=ProcedureFactory(slug="khong-co-mau"),
            holder_name="A",
            phone="+84901234567",
            language="vi",
            data={},
        )
    with pytest.raises(ValidationError):
        procedure_request_create(
            procedure=ProcedureFactory(slug="ho-chieu", is_active=False),
            holder_name="Trần Thị Bình",
            phone="+84901234567",
            language="vi",
            data=PASSPORT,
        )


@pytest.mark.django_db
def test_submit_only_once():
    request = ProcedureRequestFactory()
    procedure_request_submit(request=request)
    assert request.status == RequestStatus.SUBMITTED and request.submitted_at
    with pytest.raises(ValidationError):
        procedure_request_submit(request=request)
