"""The 12-digit personal ID number (số định danh cá nhân) and the old 9-digit ID number (CMND).

Structure (NĐ 137/2015, TT 07/2016 Art. 7, kept under NĐ 70/2024): PPP G YY NNNNNN, where PPP is the province of
birth registration (one of the 63 pre-2025 GSO codes), G encodes century and sex (1900s M0 F1, 2000s M2 F3, …,
2300s M8 F9), YY the last two digits of the birth year, and NNNNNN is random. There is no check digit.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .reference import BIRTH_PROVINCES

MSG_ID_FORMAT = _("The personal ID number has exactly 12 digits.")
MSG_ID_PROVINCE = _(
    "The first three digits (%(code)s) are not the code of a province where births are registered. "
    "Check the number on your card."
)
MSG_ID_YEAR = _("This number belongs to someone born in %(year)s, but you entered a date of birth in %(declared)s.")
MSG_ID_SEX = _("The 4th digit of this number is for a %(sex)s person, but you chose %(declared)s.")
MSG_ID_PLACE = _(
    "This number was given to a birth registered in %(province)s, "
    "but you chose %(declared)s as the place of birth registration."
)
MSG_OLD_ID_FORMAT = _("The old ID card (CMND) number has exactly 9 digits.")
MSG_OLD_ID_OR_NEW = _("Enter a 12-digit personal ID number or a 9-digit old ID card (CMND) number.")

_DIGITS = re.compile(r"[\s.\-]")


def digits_normalize(raw: str) -> str:
    """What a citizen typed, as stored: digits only (spaces, dots and dashes removed)."""
    return _DIGITS.sub("", raw or "")


@dataclass(frozen=True)
class IdNumber:
    province_code: str
    birth_year: int
    sex: str  # "M" / "F"


def id_number_parse(number: str) -> IdNumber:
    """Decode a 12-digit number; raises ValidationError when its structure is wrong."""
    if not re.fullmatch(r"\d{12}", number):
        raise ValidationError(MSG_ID_FORMAT, code="id_format")
    province = number[:3]
    if province not in BIRTH_PROVINCES:
        raise ValidationError(MSG_ID_PROVINCE, code="id_province", params={"code": province})
    g = int(number[3])
    year = 1900 + 100 * (g // 2) + int(number[4:6])
    return IdNumber(province_code=province, birth_year=year, sex="M" if g % 2 == 0 else "F")


def id_number_check(
    number: str, *, birth_date: date | None = None, sex: str | None = None, birth_province: str | None = None
) -> list[ValidationError]:
    """The structural check plus agreement with what the citizen declared; returns every mismatch found."""
    try:
        parsed = id_number_parse(number)
    except ValidationError as error:
        return [error]
    errors = []
    if birth_date is not None and birth_date.year != parsed.birth_year:
        errors.append(
            ValidationError(
                MSG_ID_YEAR, code="id_year", params={"year": parsed.birth_year, "declared": birth_date.year}
            )
        )
    if sex and sex != parsed.sex:
        labels = {"M": _("male"), "F": _("female")}
        errors.append(
            ValidationError(MSG_ID_SEX, code="id_sex", params={"sex": labels[parsed.sex], "declared": labels[sex]})
        )
    if birth_province and birth_province != parsed.province_code:
        errors.append(
            ValidationError(
                MSG_ID_PLACE,
                code="id_place",
                params={
                    "province": BIRTH_PROVINCES[parsed.province_code],
                    "declared": BIRTH_PROVINCES.get(birth_province, birth_province),
                },
            )
        )
    return errors


def id_number_build(*, province_code: str, birth_year: int, sex: str, serial: int) -> str:
    """A structurally valid number (for tests and demo data)."""
    century = (birth_year - 1900) // 100
    g = century * 2 + (0 if sex == "M" else 1)
    return f"{province_code}{g}{birth_year % 100:02d}{serial:06d}"


def old_id_check(number: str) -> list[ValidationError]:
    if not re.fullmatch(r"\d{9}", number):
        return [ValidationError(MSG_OLD_ID_FORMAT, code="old_id_format")]
    return []
