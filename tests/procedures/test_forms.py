"""The procedure forms: strict shape checks with specific messages, JSON data, readable rendering."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from apps.procedures.forms import ProcedureForm, form_class_for, register, registered_slugs, unregister
from apps.procedures.forms.foreigner import ForeignerStayForm
from apps.procedures.forms.passport import PassportForm
from apps.procedures.forms.residence import ResidenceForm
from apps.procedures.forms.vehicle import VehicleForm

# A fixed day (Vietnam time) for every test here: the forms compare dates with the portal's today, which must not
# depend on the machine's clock, its time zone (UTC on servers) or the order the suite runs in.
TODAY = date(2027, 3, 10)
# The first step's notice (apps.privacy) is read from the database when a journey form is built.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield


# With the first step's notice (version 1) and declaration statement ticked.
CONTACT = {
    "holder_name": "  Nguyễn   Văn An ",
    "phone": "0901 234 567",
    "accept_notice": "1",
    "accept_declaration": "1",
}


def _form(form_class, **data):
    return form_class(data={**CONTACT, **data})


def _errors(form) -> dict[str, str]:
    with translation.override("en"):
        return {name: " ".join(messages) for name, messages in form.errors.items()}


def test_the_four_procedures_have_a_registered_form():
    assert {"ho-chieu", "dang-ky-xe", "dang-ky-cu-tru", "tam-tru-nguoi-nuoc-ngoai"} <= registered_slugs()
    assert form_class_for("ho-chieu") is PassportForm
    assert form_class_for("cap-cccd") is None  # the identity card's journey is apps.declarations'


def test_registry_refuses_a_second_form_for_a_slug_and_non_forms():
    with pytest.raises(ImproperlyConfigured):
        register("ho-chieu")(type("Other", (ProcedureForm,), {}))
    with pytest.raises(ImproperlyConfigured):
        register("khac")(type("NotAForm", (), {}))
    assert "khac" not in registered_slugs()
    unregister("khac")


# --- Common fields ------------------------------------------------------------------------------------------------
def test_contact_is_normalised():
    form = _form(PassportForm, id_number="079203001234", request_type="first", purpose="tourism")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["holder_name"] == "Nguyễn Văn An"
    assert str(form.cleaned_data["phone"]) == "+84901234567"
    assert form.holder_id_number() == "079203001234"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("holder_name", "Nguyen Van 4n", "letters only"),
        ("phone", "028 3940 0155", "mobile number"),
        ("phone", "12", "mobile number"),
        ("phone", "+1 202 555 0143", "Vietnamese mobile number"),
    ],
)
def test_bad_contact_gets_a_specific_message(field, value, message):
    form = PassportForm(
        data={**CONTACT, field: value, "id_number": "079203001234", "request_type": "first", "purpose": "tourism"}
    )
    assert not form.is_valid()
    assert message in _errors(form)[field]


# --- Passport -----------------------------------------------------------------------------------------------------
def test_passport_renewal_needs_the_current_number_and_normalises_it():
    base = {"id_number": "079203001234", "request_type": "expiring", "purpose": "work"}
    form = _form(PassportForm, **base)
    assert not form.is_valid()
    assert "current passport" in _errors(form)["current_passport"]
    form = _form(PassportForm, **base, current_passport="c 123 4567", travel_date=str(TODAY + timedelta(days=40)))
    assert form.is_valid(), form.errors
    assert form.to_data() == {
        "id_number": "079203001234",
        "request_type": "expiring",
        "current_passport": "C1234567",
        "purpose": "work",
        "travel_date": (TODAY + timedelta(days=40)).isoformat(),
    }


def test_passport_checks():
    base = {"id_number": "079203001234", "purpose": "study"}
    errors = _errors(_form(PassportForm, **base, request_type="first", current_passport="C1234567"))
    assert "leave the current passport number empty" in errors["current_passport"]
    errors = _errors(_form(PassportForm, **base, request_type="damaged", current_passport="1234567"))
    assert "one letter followed by 7 digits" in errors["current_passport"]
    errors = _errors(_form(PassportForm, **base, request_type="lost", travel_date=str(TODAY - timedelta(days=1))))
    assert errors == {"travel_date": "This date is in the past."}
    errors = _errors(_form(PassportForm, id_number="12345", request_type="lost", purpose="x"))
    assert "12 digits" in errors["id_number"] and "purpose" in errors


# --- Vehicle ------------------------------------------------------------------------------------------------------
def test_vehicle_plate_is_normalised_and_fits_the_vehicle():
    base = {"id_number": "079203001234", "request_type": "transfer"}
    form = _form(VehicleForm, **base, vehicle_type="motorbike", plate="59x1 23456")
    assert form.is_valid(), form.errors
    assert form.to_data()["plate"] == "59-X1 234.56"
    errors = _errors(_form(VehicleForm, **base, vehicle_type="car", plate="59-X1 234.56"))
    assert "motorbike plate" in errors["plate"]
    errors = _errors(_form(VehicleForm, **base, vehicle_type="car"))
    assert "plate number" in errors["plate"]
    errors = _errors(_form(VehicleForm, **base, vehicle_type="car", plate="ABC"))
    assert "51F-123.45" in errors["plate"]


def test_first_registration_has_no_plate():
    base = {"id_number": "079203001234", "request_type": "first", "vehicle_type": "car"}
    assert _form(VehicleForm, **base).is_valid()
    errors = _errors(_form(VehicleForm, **base, plate="51F-123.45"))
    assert "no plate yet" in errors["plate"]


# --- Residence ----------------------------------------------------------------------------------------------------
RESIDENCE = {
    "id_number": "079203001234",
    "province": "79",
    "ward": "27259",
    "street": " 12/3   Đoàn Văn Bơ ",
    "accommodation": "rented",
}


def test_temporary_residence_needs_an_end_date_within_two_years():
    form = _form(ResidenceForm, **RESIDENCE, residence_type="temporary", stay_until=str(TODAY + timedelta(days=180)))
    assert form.is_valid(), form.errors
    assert form.to_data()["street"] == "12/3 Đoàn Văn Bơ"
    errors = _errors(_form(ResidenceForm, **RESIDENCE, residence_type="temporary"))
    assert "until when" in errors["stay_until"]
    errors = _errors(
        _form(ResidenceForm, **RESIDENCE, residence_type="extension", stay_until=str(TODAY + timedelta(days=800)))
    )
    assert "at most 2 years" in errors["stay_until"]
    errors = _errors(
        _form(ResidenceForm, **RESIDENCE, residence_type="permanent", stay_until=str(TODAY + timedelta(days=30)))
    )
    assert "no end date" in errors["stay_until"]
    assert _form(ResidenceForm, **RESIDENCE, residence_type="permanent").is_valid()


def test_ward_list_follows_the_province_and_a_stale_ward_is_refused():
    form = ResidenceForm()
    assert form.initial["province"] == "79"
    assert ("27259", "Phường Xóm Chiếu") in form.fields["ward"].choices
    # Province changed to Hà Nội but the ward is still District 4's: the ward list no longer has it.
    form = _form(ResidenceForm, **{**RESIDENCE, "province": "1"}, residence_type="permanent")
    assert not form.is_valid()
    assert "ward" in form.errors
    assert all(code != "27259" for code, _ in form.fields["ward"].choices)
    assert ("4", "Phường Ba Đình") in form.fields["ward"].choices


def test_province_must_be_from_the_list():
    errors = _errors(_form(ResidenceForm, **{**RESIDENCE, "province": "999"}, residence_type="permanent"))
    assert "province" in errors


# --- Foreigner ----------------------------------------------------------------------------------------------------
FOREIGNER = {
    "host_kind": "household",
    "guest_name": "John Smith",
    "nationality": "GBR",
    "passport_number": "123 456 789",
    "province": "79",
    "ward": "27265",
    "street": "188 Khánh Hội",
}


def test_foreigner_stay_dates_and_passport():
    form = _form(ForeignerStayForm, **FOREIGNER, arrival=str(TODAY), departure=str(TODAY + timedelta(days=14)))
    assert form.is_valid(), form.errors
    assert form.to_data()["passport_number"] == "123456789"
    assert form.holder_id_number() == ""
    errors = _errors(
        _form(ForeignerStayForm, **FOREIGNER, arrival=str(TODAY + timedelta(days=5)), departure=str(TODAY))
    )
    assert errors == {"departure": "The departure date must be on or after the arrival date."}
    errors = _errors(
        _form(ForeignerStayForm, **FOREIGNER, arrival=str(TODAY - timedelta(days=60)), departure=str(TODAY))
    )
    assert "more than 30 days ago" in errors["arrival"]
    errors = _errors(
        _form(
            ForeignerStayForm,
            **{**FOREIGNER, "nationality": "VNM", "passport_number": "12"},
            arrival=str(TODAY),
            departure=str(TODAY - timedelta(days=1)),
        )
    )
    assert "residence registration" in errors["nationality"]
    assert "6 to 9" in errors["passport_number"]
    assert "past" in errors["departure"]
    errors = _errors(_form(ForeignerStayForm, **{**FOREIGNER, "nationality": "XYZ"}, arrival=str(TODAY)))
    assert "nationality" in errors


# --- Readable rendering -------------------------------------------------------------------------------------------
def test_describe_uses_the_form_labels_and_readable_values():
    data = {
        "host_kind": "household",
        "guest_name": "John Smith",
        "nationality": "KOR",
        "passport_number": "M12345678",
        "province": "79",
        "ward": "27259",
        "street": "4 Xóm Chiếu",
        "arrival": "2026-12-01",
        "departure": "2026-12-15",
        "retired_field": "kept",
    }
    with translation.override("en"):
        rows = dict(ForeignerStayForm.describe(data))
    assert rows["Guest's nationality"] == "South Korea"
    assert rows["Ward or commune"] == "Phường Xóm Chiếu"
    assert rows["Province or city"] == "Thành phố Hồ Chí Minh"
    assert rows["The guest stays at"] == "A household or private home"
    assert rows["Arrival date"] == "01/12/2026"
    assert rows["retired_field"] == "kept"
    with translation.override("vi"):
        rows = dict(ForeignerStayForm.describe(data))
    assert rows["Quốc tịch của khách"] == "Hàn Quốc"
    assert rows["Ngày đến"] == "01/12/2026"
    with translation.override("vi"):
        rows = dict(PassportForm.describe({"request_type": "first", "current_passport": ""}))
    assert rows["Số hộ chiếu hiện có"] == "—"
