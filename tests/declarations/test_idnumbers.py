"""The 12-digit personal ID number: structure (province of birth registration, sex-and-century digit, birth
year) and agreement with what the citizen declared; the 9-digit old ID number."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.declarations.idnumbers import (
    digits_normalize,
    id_number_build,
    id_number_check,
    id_number_parse,
    old_id_check,
)
from apps.declarations.reference import BIRTH_PROVINCES

# The first step's notice (apps.privacy) is read from the database when a journey form is built.
pytestmark = pytest.mark.django_db

PROVINCES = sorted(BIRTH_PROVINCES)
NOT_PROVINCES = sorted({f"{n:03d}" for n in range(1000)} - set(PROVINCES))

birth_years = st.integers(min_value=1900, max_value=2399)
sexes = st.sampled_from(["M", "F"])
serials = st.integers(min_value=0, max_value=999_999)


def test_the_reference_has_the_63_pre_2025_provinces():
    assert len(BIRTH_PROVINCES) == 63
    assert BIRTH_PROVINCES["079"] == "Hồ Chí Minh"
    assert BIRTH_PROVINCES["046"] == "Thừa Thiên Huế"
    assert "003" not in BIRTH_PROVINCES


@given(st.sampled_from(PROVINCES), birth_years, sexes, serials)
def test_a_built_number_parses_back_to_what_it_encodes(province, year, sex, serial):
    number = id_number_build(province_code=province, birth_year=year, sex=sex, serial=serial)
    assert len(number) == 12 and number.isdigit()
    parsed = id_number_parse(number)
    assert (parsed.province_code, parsed.birth_year, parsed.sex) == (province, year, sex)
    assert id_number_check(number, birth_date=date(year, 6, 1), sex=sex, birth_province=province) == []


@given(st.sampled_from(NOT_PROVINCES), birth_years, sexes, serials)
def test_an_unknown_province_code_is_refused(province, year, sex, serial):
    number = id_number_build(province_code=province, birth_year=year, sex=sex, serial=serial)
    [error] = id_number_check(number)
    assert error.code == "id_province"


@given(st.sampled_from(PROVINCES), birth_years, sexes, serials, birth_years)
def test_a_number_disagreeing_with_the_declared_year_is_refused(province, year, sex, serial, declared):
    number = id_number_build(province_code=province, birth_year=year, sex=sex, serial=serial)
    codes = [e.code for e in id_number_check(number, birth_date=date(declared, 1, 1))]
    assert codes == ([] if declared == year else ["id_year"])


@given(st.sampled_from(PROVINCES), birth_years, sexes, serials)
def test_a_number_disagreeing_with_the_declared_sex_is_refused(province, year, sex, serial):
    number = id_number_build(province_code=province, birth_year=year, sex=sex, serial=serial)
    other = "F" if sex == "M" else "M"
    assert [e.code for e in id_number_check(number, sex=other)] == ["id_sex"]


@given(st.text(alphabet="0123456789", min_size=0, max_size=20).filter(lambda s: len(s) != 12))
def test_anything_but_twelve_digits_is_refused(text):
    assert [e.code for e in id_number_check(text)] == ["id_format"]


@given(st.text(min_size=12, max_size=12).filter(lambda s: not s.isascii() or not s.isdigit()))
def test_twelve_characters_that_are_not_all_digits_are_refused(text):
    assert [e.code for e in id_number_check(text)] == ["id_format"]


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [
        ("079090123456", "M", 1990),
        ("001185000001", "F", 1985),
        ("048303000777", "F", 2003),
        ("096200000001", "M", 2000),
    ],
)
def test_known_examples(number, sex, year):
    parsed = id_number_parse(number)
    assert (parsed.sex, parsed.birth_year) == (sex, year)


def test_the_place_of_birth_registration_must_match():
    [error] = id_number_check("079090123456", birth_province="001")
    assert error.code == "id_place"
    assert "Hồ Chí Minh" in str(error.message % error.params)


def test_spaces_dots_and_dashes_are_ignored():
    assert digits_normalize(" 079 090.123-456 ") == "079090123456"


@pytest.mark.parametrize(
    ("number", "ok"), [("023456789", True), ("12345678", False), ("1234567890", False), ("02345678a", False)]
)
def test_old_nine_digit_numbers(number, ok):
    assert (old_id_check(number) == []) is ok
