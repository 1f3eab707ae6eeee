"""Every validation rule of the journey's forms, with good and bad examples."""

import unicodedata
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.declarations import forms
from apps.declarations.idnumbers import id_number_build

from .factories import about_data, address_data, contact_data, family_data, request_data

# The first step's notice (apps.privacy) is read from the database when a journey form is built.
pytestmark = pytest.mark.django_db


def errors_of(form_class, data, **kwargs):
    form = form_class(data=data, **kwargs)
    form.is_valid()
    return {name: [e.code for e in errs.as_data()] for name, errs in form.errors.items()}, form


# --- Names -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nguyễn văn an", "NGUYỄN VĂN AN"),
        ("  Trần   thị  Bích ", "TRẦN THỊ BÍCH"),
        ("đặng hữu phước", "ĐẶNG HỮU PHƯỚC"),
        ("H'Hen Niê", "H'HEN NIÊ"),
        (unicodedata.normalize("NFD", "Lê Thị Ngọc Ánh"), "LÊ THỊ NGỌC ÁNH"),
    ],
)
def test_names_are_nfc_single_spaced_upper_case(typed, stored):
    errors, form = errors_of(forms.AboutForm, about_data(full_name=typed))
    assert errors == {}
    assert form.cleaned_data["full_name"] == stored
    assert unicodedata.is_normalized("NFC", form.cleaned_data["full_name"])


@pytest.mark.parametrize("typed", ["Nguyen Van 2", "An@home", "李小龍", "Нина", "An_Binh"])
def test_names_with_digits_symbols_or_other_scripts_are_refused(typed):
    errors, _ = errors_of(forms.AboutForm, about_data(full_name=typed))
    assert errors == {"full_name": ["name_chars"]}


def test_a_missing_name_says_so():
    errors, form = errors_of(forms.AboutForm, about_data(full_name=""))
    assert errors == {"full_name": ["required"]}
    assert str(form.errors["full_name"][0]) == str(forms.MSG_REQUIRED)


# --- Dates of birth ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["05/09/1990", "5/9/1990", "05-09-1990", "05.09.1990", "1990-09-05", "05091990", " 05 / 09 / 1990 "]
)
def test_date_of_birth_formats(typed):
    errors, form = errors_of(forms.AboutForm, about_data(birth_date=typed))
    assert errors == {}
    assert form.cleaned_data["birth_date"].isoformat() == "1990-09-05"


@pytest.mark.parametrize(
    "typed", ["31/02/1990", "29/02/1991", "32/01/1990", "00/01/1990", "1990", "tomorrow", "05/13/1990"]
)
def test_dates_that_do_not_exist_are_refused(typed):
    errors, _ = errors_of(forms.AboutForm, about_data(birth_date=typed))
    assert errors["birth_date"] == ["invalid"]


def test_29_february_of_a_leap_year_is_real():
    number = id_number_build(province_code="079", birth_year=1992, sex="M", serial=1)
    errors, _ = errors_of(forms.AboutForm, about_data(birth_date="29/02/1992", id_number=number))
    assert errors == {}


def test_a_date_of_birth_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors, _ = errors_of(forms.AboutForm, about_data(birth_date=tomorrow.strftime("%d/%m/%Y")))
    assert "future" in errors["birth_date"]


def test_a_date_of_birth_before_1900_is_refused():
    errors, _ = errors_of(forms.AboutForm, about_data(birth_date="01/01/1899"))
    assert "too_old" in errors["birth_date"]


# --- Card number against what was declared ----------------------------------------------------------------
def test_card_number_matching_the_declaration_is_accepted():
    errors, form = errors_of(forms.AboutForm, about_data(id_number="079 090 123 456"))
    assert errors == {}
    assert form.cleaned_data["id_number"] == "079090123456"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"birth_date": "05/09/1991"}, "id_year"),
        ({"sex": "F"}, "id_sex"),
        ({"birth_province": "001"}, "id_place"),
        ({"id_number": "003090123456"}, "id_province"),
        ({"id_number": "07909012345"}, "id_format"),
    ],
)
def test_card_number_disagreeing_with_the_declaration_is_refused(overrides, code):
    errors, form = errors_of(forms.AboutForm, about_data(**overrides))
    assert code in errors["id_number"]
    assert form.errors["id_number"]  # a message is rendered beside the field


@pytest.mark.parametrize(
    ("typed", "ok"), [("", True), ("023456789", True), ("079090123456", True), ("12345", False), ("0234567890", False)]
)
def test_old_id_number_accepts_nine_or_twelve_digits(typed, ok):
    errors, _ = errors_of(forms.AboutForm, about_data(old_id_number=typed))
    assert ("old_id_number" not in errors) is ok


# --- Choice lists -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"), [("ethnicity", "Martian"), ("religion", "Jedi"), ("birth_province", "003"), ("sex", "X")]
)
def test_values_outside_the_official_lists_are_refused(field, value):
    errors, _ = errors_of(forms.AboutForm, about_data(**{field: value}))
    assert errors[field] == ["invalid_choice"]


def test_official_lists_are_complete():
    assert len(forms.ETHNICITY_CHOICES) == 54 + 1
    assert forms.RELIGION_CHOICES[1] == ("Không", "Không")
    assert len(forms.BIRTH_PROVINCE_CHOICES) == 63 + 1


# --- Child filed by a representative ----------------------------------------------------------------------
@time_machine.travel("2026-11-29 10:00 +0700")
def test_a_child_filing_needs_a_date_of_birth_under_14():
    errors, _ = errors_of(forms.AboutForm, about_data(), answers={"applicant": "child"})
    assert errors["birth_date"] == ["child_too_old"]
    number = id_number_build(province_code="079", birth_year=2016, sex="F", serial=5)
    errors, _ = errors_of(
        forms.AboutForm, about_data(birth_date="01/03/2016", sex="F", id_number=number), answers={"applicant": "child"}
    )
    assert errors == {}


# --- Addresses --------------------------------------------------------------------------------------------
def test_address_with_a_current_ward_and_same_current_address():
    errors, form = errors_of(forms.AddressForm, address_data())
    assert errors == {}
    assert form.cleaned_data["permanent_ward"] == "27265"


def test_an_old_ward_name_finds_the_current_ward():
    errors, form = errors_of(forms.AddressForm, address_data(permanent_ward="", permanent_old_name="Phường 9, Quận 4"))
    assert errors == {}
    assert form.cleaned_data["permanent_ward"] == "27265"  # Phường Khánh Hội


def test_an_old_name_split_between_wards_asks_to_choose():
    errors, form = errors_of(forms.AddressForm, address_data(permanent_ward="", permanent_old_name="Phường 2, Quận 4"))
    assert errors == {"permanent_old_name": [None]} or "permanent_old_name" in errors
    message = form.errors["permanent_old_name"][0]
    assert "Khánh Hội" in message and "Vĩnh Hội" in message


def test_an_unknown_old_name_says_so():
    errors, form = errors_of(forms.AddressForm, address_data(permanent_ward="", permanent_old_name="Phường Không Có"))
    assert "permanent_old_name" in errors
    assert "Phường Không Có" in form.errors["permanent_old_name"][0]


def test_no_ward_and_no_old_name_is_refused():
    errors, _ = errors_of(forms.AddressForm, address_data(permanent_ward=""))
    assert errors == {"permanent_ward": ["required"]}


def test_a_ward_of_another_province_is_refused():
    errors, _ = errors_of(forms.AddressForm, address_data(permanent_province="1", permanent_ward="27265"))
    assert errors["permanent_ward"] == ["invalid_choice"]


def test_a_different_current_address_is_required_when_not_the_same():
    errors, _ = errors_of(forms.AddressForm, address_data(current_same=""))
    assert set(errors) == {"current_ward", "current_street"}
    errors, _ = errors_of(
        forms.AddressForm, address_data(current_same="", current_ward="27259", current_street="5 Tôn Đản")
    )
    assert errors == {}


def test_the_province_list_has_the_34_current_provinces_and_hcmc_168_wards():
    from apps.declarations import addresses

    assert len(addresses.province_choices()) == 34
    assert len(addresses.ward_choices(79)) == 168 + 1


# --- Family and representative ----------------------------------------------------------------------------
@time_machine.travel("2026-11-29 10:00 +0700")
def test_representative_not_asked_for_an_adult():
    from datetime import date

    form = forms.FamilyForm(answers={"birth_date": date(1990, 9, 5), "applicant": "self"})
    assert not any(name.startswith("rep_") for name in form.fields)


@time_machine.travel("2026-11-29 10:00 +0700")
@pytest.mark.parametrize(
    ("birth", "applicant"), [((2015, 1, 1), "child"), ((2013, 1, 1), "self"), ((1990, 1, 1), "limited")]
)
def test_representative_required_under_14_or_limited_capacity(birth, applicant):
    from datetime import date

    answers = {"birth_date": date(*birth), "applicant": applicant}
    errors, _ = errors_of(forms.FamilyForm, family_data(), answers=answers)
    assert {"rep_name", "rep_birth_date", "rep_sex", "rep_id", "rep_relation"} <= set(errors)  # DC02 section II
    rep = {
        "rep_name": "Nguyễn Văn Bình",
        "rep_birth_date": "01/01/1980",
        "rep_sex": "M",
        "rep_id": "079080000001",
        "rep_relation": "Cha",
    }
    errors, _ = errors_of(forms.FamilyForm, family_data(**rep), answers=answers)
    assert errors == {}


def test_spouse_required_only_when_married():
    errors, _ = errors_of(forms.FamilyForm, family_data(), answers={"marital_status": "married"})
    assert errors == {"spouse_name": ["required"]}
    assert "spouse_name" not in forms.FamilyForm(answers={"marital_status": "single"}).fields


@pytest.mark.parametrize(
    ("typed", "ok"), [("", True), ("023456789", True), ("079060000001", True), ("0790600000", False)]
)
def test_parents_id_numbers_accept_old_and_new(typed, ok):
    errors, _ = errors_of(forms.FamilyForm, family_data(father_id=typed))
    assert ("father_id" not in errors) is ok


# --- Contact ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["0912345678", "0912 345 678", "+84912345678", "84 912 345 678", "0381234567", "0868 123 456"]
)
def test_vietnamese_mobiles_are_stored_in_e164(typed):
    errors, form = errors_of(forms.ContactForm, contact_data(phone=typed))
    assert errors == {}
    assert form.cleaned_data["phone"].as_e164.startswith("+84")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("02838123456", "not_mobile"), ("0123", "invalid"), ("+14155550100", "invalid"), ("abc", "invalid")],
)
def test_landlines_foreign_and_malformed_numbers_are_refused(typed, code):
    errors, _ = errors_of(forms.ContactForm, contact_data(phone=typed))
    assert errors["phone"] == [code]


def test_email_optional_unless_chosen_as_channel():
    assert errors_of(forms.ContactForm, contact_data(email=""))[0] == {}
    assert errors_of(forms.ContactForm, contact_data(channel="email"))[0] == {"email": ["required"]}
    assert errors_of(forms.ContactForm, contact_data(email="not-an-email"))[0] == {"email": ["invalid"]}


def test_request_reason_sets_the_request_type():
    errors, form = errors_of(forms.RequestForm, request_data(reason="lost"))
    assert errors == {}
    assert form.cleaned_data["request_type"] == "reissue"
    assert errors_of(forms.RequestForm, request_data(reason="bogus"))[0] == {"reason": ["invalid_choice"]}


def test_the_current_residence_is_asked_only_when_it_differs():
    assert "current_ward" not in forms.AddressForm().fields
    assert "current_ward" not in forms.AddressForm(data=address_data()).fields
    data = {k: v for k, v in address_data(current_same="").items() if not k.startswith("current_")}
    errors, form = errors_of(forms.AddressForm, data)
    assert "current_ward" in form.fields  # shown now
    assert [e.code for e in form.non_field_errors().as_data()] == ["current_below"]
