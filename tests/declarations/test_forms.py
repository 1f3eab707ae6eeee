"""Every validation rule of the journey's forms, with good and bad examples."""

import unicodedata
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.declarations import forms
from apps.declarations.idnumbers import id_number_build

from .factories import about_data, address_data, contact_data, request_data

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


# --- DC02 (since 1 July 2024): only what the request form asks ---------------------------------------------
CC01_ONLY = {
    "other_name", "ethnicity", "religion", "nationality", "marital_status", "blood_group", "birth_province",
    "birth_place", "hometown", "father_name", "father_id", "mother_name", "mother_id", "spouse_name", "spouse_id",
    "head_name", "head_id", "head_relation", "occupation", "education",
}  # fmt: skip


def test_the_journey_asks_dc02_fields_only():
    from apps.declarations.selectors import FORM_STEPS

    assert [s.slug for s in FORM_STEPS] == ["", "ban-than", "dia-chi", "lien-he"]
    asked = set()
    for step in FORM_STEPS:
        asked |= set(step.form_class(answers={"applicant": "child"}).fields)
    assert not asked & CC01_ONLY
    # DC02 I (name, date of birth, sex, personal ID), II (the representative), III(1), (2), (11), and contact.
    assert {"full_name", "birth_date", "sex", "id_number", "old_id_number", "reason", "applicant"} <= asked
    assert {"rep_name", "rep_birth_date", "rep_sex", "rep_id"} <= asked
    assert {"delivery", "delivery_address", "phone", "email", "permanent_province", "permanent_street"} <= asked


def test_values_outside_the_official_lists_are_refused():
    errors, _ = errors_of(forms.AboutForm, about_data(sex="X"))
    assert errors["sex"] == ["invalid_choice"]


# --- The representative (DC02 section II), on the about-you step ------------------------------------------
@time_machine.travel("2026-11-29 10:00 +0700")
def test_representative_not_asked_for_an_adult():
    form = forms.AboutForm(answers={"applicant": "self"})
    assert not any(name.startswith("rep_") for name in form.fields)
    errors, _ = errors_of(forms.AboutForm, about_data(rep_name="Someone"), answers={"applicant": "self"})
    assert errors == {}


REP = {
    "rep_name": "Nguyễn Văn Bình",
    "rep_birth_date": "01/01/1980",
    "rep_sex": "M",
    "rep_id": "079080000001",
    "rep_relation": "Cha",
}


@time_machine.travel("2026-11-29 10:00 +0700")
@pytest.mark.parametrize(
    ("about", "applicant"),
    [
        ({"birth_date": "01/01/2015", "id_number": "079215000001"}, "child"),
        ({}, "limited"),
    ],
)
def test_representative_required_for_a_child_or_limited_capacity(about, applicant):
    answers = {"applicant": applicant, "reason": "first_card"}
    errors, _ = errors_of(forms.AboutForm, about_data(**about), answers=answers)
    assert {"rep_name", "rep_birth_date", "rep_sex", "rep_id", "rep_relation"} <= set(errors)  # DC02 section II
    errors, form = errors_of(forms.AboutForm, about_data(**about, **REP), answers=answers)
    assert errors == {}
    assert form.cleaned_data["rep_id"] == "079080000001"


@time_machine.travel("2026-11-29 10:00 +0700")
def test_a_child_filing_for_itself_is_refused_at_the_date_of_birth():
    answers = {"applicant": "self", "reason": "first_card"}
    data = about_data(birth_date="01/01/2013", id_number="079213000001")
    errors, _ = errors_of(forms.AboutForm, data, answers=answers)
    assert "self_under_14" in errors["birth_date"]


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
