"""Shape checks shared by the procedure forms."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.procedures.forms import validation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("C1234567", "C1234567"), ("c 123 4567", "C1234567"), ("P-7654321", "P7654321"), (" n1234567 ", "N1234567")],
)
def test_vietnamese_passport_numbers_are_normalised(raw, expected):
    assert validation.normalize_vn_passport(raw) == expected


@pytest.mark.parametrize("raw", ["1234567", "CC123456", "C123456", "C12345678", "Ç1234567", ""])
def test_malformed_vietnamese_passport_numbers_are_refused(raw):
    with pytest.raises(ValidationError) as exc:
        validation.normalize_vn_passport(raw)
    assert exc.value.code == "passport_format"


@pytest.mark.parametrize(
    ("raw", "expected"), [("x1234567", "X1234567"), ("AB 123 456", "AB123456"), ("123456", "123456")]
)
def test_foreign_passport_numbers_are_6_to_9_letters_and_digits(raw, expected):
    assert validation.normalize_foreign_passport(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "1234567890", "ABCDEFG", "AB12#456"])
def test_malformed_foreign_passport_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        validation.normalize_foreign_passport(raw)


@pytest.mark.parametrize(
    ("raw", "expected", "motorbike"),
    [
        ("51F-123.45", "51F-123.45", False),
        ("51f12345", "51F-123.45", False),
        ("51 F 123 45", "51F-123.45", False),
        ("51LD-123.45", "51LD-123.45", False),
        ("29A-1234", "29A-1234", False),
        ("59-X1 234.56", "59-X1 234.56", True),
        ("59x123456", "59-X1 234.56", True),
        ("59-X1 2345", "59-X1 2345", True),
        ("29-AA 123.45", "29-AA 123.45", True),
        ("29-mđ1 123.45", "29-MĐ1 123.45", True),
    ],
)
def test_plates_are_normalised_to_their_printed_form(raw, expected, motorbike):
    assert validation.normalize_plate(raw) == expected
    assert validation.normalize_plate(raw, motorbike=motorbike) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("51F-123", "plate_format"),
        ("F51-123.45", "plate_format"),
        ("51F-123.456", "plate_format"),
        ("05F-123.45", "plate_locality"),
        ("", "plate_format"),
    ],
)
def test_malformed_plates_are_refused(raw, code):
    with pytest.raises(ValidationError) as exc:
        validation.normalize_plate(raw)
    assert exc.value.code == code


def test_plate_must_fit_the_kind_of_vehicle():
    with pytest.raises(ValidationError) as exc:
        validation.normalize_plate("51F-123.45", motorbike=True)
    assert exc.value.code == "plate_kind"
    with pytest.raises(ValidationError) as exc:
        validation.normalize_plate("59-X1 234.56", motorbike=False)
    assert exc.value.code == "plate_kind"


@pytest.mark.parametrize(("raw", "expected"), [("079203001234", "079203001234"), ("079 203 001 234", "079203001234")])
def test_id_numbers(raw, expected):
    assert validation.normalize_id_number(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [("07920300123", "id_format"), ("999203001234", "id_province")])
def test_bad_id_numbers(raw, code):
    with pytest.raises(ValidationError) as exc:
        validation.normalize_id_number(raw)
    assert exc.value.code == code


def test_nationalities_come_from_iso_3166_with_vietnamese_names():
    with translation.override("vi"):
        choices = dict(validation.nationality_choices())
        assert choices["KOR"] == "Hàn Quốc" and choices["USA"] == "Hoa Kỳ"
        assert choices["ISL"] == "Iceland"  # no Vietnamese name provided: the English one
        names = [name for _, name in validation.nationality_choices()]
        assert names.index("Đức") < names.index("Hà Lan")  # sorted as Vietnamese readers expect (Đ after D)
    with translation.override("en"):
        choices = dict(validation.nationality_choices(exclude=("VNM",)))
        assert choices["KOR"] == "South Korea" and choices["TWN"] == "Taiwan (China)"
        assert "VNM" not in choices
    assert len(choices) > 240


def test_wards_belong_to_their_province():
    wards = dict(validation.ward_choices(province_code=79))
    assert wards["27259"] == "Phường Xóm Chiếu"
    validation.check_ward_in_province(ward_code="27259", province_code="79")
    with pytest.raises(ValidationError):
        validation.check_ward_in_province(ward_code="27259", province_code="1")
    assert validation.ward_choices(province_code=0) == []
