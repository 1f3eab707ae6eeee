"""Shape checks for the procedure forms: identity and passport numbers, number plates, nationalities, addresses.

Each `normalize_*` function returns the canonical form of what a citizen typed or raises ValidationError with a
translated message that says what is expected.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, Ward

from apps.core.codes import code_normalize

# --- Personal identification number (12 digits) ----------------------------------------------------------------
ID_NUMBER_FORMAT = _("The personal identification number has 12 digits, as on your identity card.")
ID_NUMBER_PROVINCE = _("This number does not start with a valid province code (the first 3 digits).")


@cache
def _birth_province_codes() -> frozenset[str]:
    """The 3-digit codes of the provinces where births are registered (the first digits of every number)."""
    path = Path(settings.BASE_DIR) / "apps" / "procedures" / "data" / "province-codes.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def normalize_id_number(raw: str) -> str:
    value = re.sub(r"[\s.\-]", "", raw or "")
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(ID_NUMBER_FORMAT, code="id_format")
    if value[:3] not in _birth_province_codes():
        raise ValidationError(ID_NUMBER_PROVINCE, code="id_province")
    return value


# --- Passport numbers ------------------------------------------------------------------------------------------
VN_PASSPORT_FORMAT = _("A Vietnamese passport number is one letter followed by 7 digits, e.g. C1234567 or P1234567.")
FOREIGN_PASSPORT_FORMAT = _("A passport number has 6 to 9 letters and digits, as printed in the passport.")


def normalize_vn_passport(raw: str) -> str:
    value = code_normalize(raw)
    if not re.fullmatch(r"[A-Z]\d{7}", value):
        raise ValidationError(VN_PASSPORT_FORMAT, code="passport_format")
    return value


def normalize_foreign_passport(raw: str) -> str:
    value = code_normalize(raw)
    if not re.fullmatch(r"[A-Z0-9]{6,9}", value) or not re.search(r"\d", value):
        raise ValidationError(FOREIGN_PASSPORT_FORMAT, code="passport_format")
    return value


# --- Number plates (Circular 79/2024/TT-BCA) --------------------------------------------------------------------
PLATE_FORMAT = _("Write the plate as printed, e.g. 51F-123.45 for a car or 59-X1 234.56 for a motorbike.")
PLATE_PROVINCE = _("The first two digits of a plate are a locality code from 11 to 99.")
PLATE_IS_CAR = _("This is a car plate (e.g. 51F-123.45), but the vehicle is a motorbike.")
PLATE_IS_MOTORBIKE = _("This is a motorbike plate (e.g. 59-X1 234.56), but the vehicle is a car or trailer.")

# Cars and trailers: locality, series of one or two letters, then 4 (old) or 5 digits: 51F-123.45, 51LD-123.45.
_CAR_PLATE = re.compile(r"(?P<locality>\d{2})(?P<series>[A-Z]{1,2})(?P<number>\d{4,5})")
# Motorbikes: locality, a series of a letter and a digit (X1), two letters (AA, mopeds) or MĐ and a digit
# (electric), then 4 (old) or 5 digits: 59-X1 234.56, 29-AA 123.45, 29-MĐ1 123.45.
_MOTORBIKE_PLATE = re.compile(r"(?P<locality>\d{2})(?P<series>[A-Z]\d|[A-Z]{2}|MĐ\d)(?P<number>\d{4,5})")


@dataclass(frozen=True)
class Plate:
    locality: str
    series: str
    number: str
    is_motorbike: bool

    def __str__(self) -> str:
        number = f"{self.number[:3]}.{self.number[3:]}" if len(self.number) == 5 else self.number
        if self.is_motorbike:
            return f"{self.locality}-{self.series} {number}"
        return f"{self.locality}{self.series}-{number}"


def parse_plate(raw: str, *, motorbike: bool | None = None) -> Plate:
    """Read a plate. Typed without separators, some plates fit both layouts (51F12345 is the car plate 51F-123.45
    or the old motorbike plate 51-F1 2345): where the citizen typed the dash decides, else the kind of vehicle,
    else the car layout first."""
    text = (raw or "").upper().strip()
    if re.match(r"\d{2}\s*[-–]", text):
        layouts = [True]
    elif re.match(r"\d{2}\s*[A-ZĐ]{1,2}\s*[-–]", text):
        layouts = [False]
    elif motorbike is None:
        layouts = [False, True]
    else:
        layouts = [motorbike, not motorbike]
    value = re.sub(r"[\s.\-–·]", "", text)
    for is_motorbike in layouts:
        match = (_MOTORBIKE_PLATE if is_motorbike else _CAR_PLATE).fullmatch(value)
        if match:
            if not 11 <= int(match["locality"]) <= 99:
                raise ValidationError(PLATE_PROVINCE, code="plate_locality")
            return Plate(match["locality"], match["series"], match["number"], is_motorbike)
    raise ValidationError(PLATE_FORMAT, code="plate_format")


def normalize_plate(raw: str, *, motorbike: bool | None = None) -> str:
    """The plate in its printed form ('51F-123.45', '59-X1 234.56'); checks it fits the kind of vehicle."""
    plate = parse_plate(raw, motorbike=motorbike)
    if motorbike is True and not plate.is_motorbike:
        raise ValidationError(PLATE_IS_CAR, code="plate_kind")
    if motorbike is False and plate.is_motorbike:
        raise ValidationError(PLATE_IS_MOTORBIKE, code="plate_kind")
    return str(plate)


# --- Nationalities ---------------------------------------------------------------------------------------------
# ISO 3166-1 (pycountry) is the list; Vietnamese names as Vietnamese public offices write them, for the
# nationalities the district sees most. Others show their English name in both languages.
VIETNAMESE_COUNTRY_NAMES = {
    "AFG": "Áp-ga-ni-xtan",
    "ARG": "Ác-hen-ti-na",
    "AUS": "Ô-xtrây-li-a",
    "AUT": "Áo",
    "BGD": "Băng-la-đét",
    "BEL": "Bỉ",
    "BRA": "Bra-xin",
    "BRN": "Bru-nây",
    "KHM": "Cam-pu-chia",
    "CAN": "Ca-na-đa",
    "CHL": "Chi-lê",
    "CHN": "Trung Quốc",
    "COL": "Cô-lôm-bi-a",
    "CUB": "Cu-ba",
    "CZE": "Séc",
    "DNK": "Đan Mạch",
    "EGY": "Ai Cập",
    "FIN": "Phần Lan",
    "FRA": "Pháp",
    "DEU": "Đức",
    "GRC": "Hy Lạp",
    "HKG": "Hồng Công (Trung Quốc)",
    "HUN": "Hung-ga-ri",
    "IND": "Ấn Độ",
    "IDN": "In-đô-nê-xi-a",
    "IRN": "I-ran",
    "IRL": "Ai-len",
    "ISR": "I-xra-en",
    "ITA": "I-ta-li-a",
    "JPN": "Nhật Bản",
    "KAZ": "Ca-dắc-xtan",
    "KOR": "Hàn Quốc",
    "PRK": "Triều Tiên",
    "LAO": "Lào",
    "MAC": "Ma Cao (Trung Quốc)",
    "MYS": "Ma-lai-xi-a",
    "MEX": "Mê-hi-cô",
    "MNG": "Mông Cổ",
    "MMR": "Mi-an-ma",
    "NPL": "Nê-pan",
    "NLD": "Hà Lan",
    "NZL": "Niu Di-lân",
    "NGA": "Ni-giê-ri-a",
    "NOR": "Na Uy",
    "PAK": "Pa-ki-xtan",
    "PHL": "Phi-líp-pin",
    "POL": "Ba Lan",
    "PRT": "Bồ Đào Nha",
    "ROU": "Ru-ma-ni",
    "RUS": "Nga",
    "SAU": "A-rập Xê-út",
    "SGP": "Xin-ga-po",
    "ZAF": "Nam Phi",
    "ESP": "Tây Ban Nha",
    "LKA": "Xri Lan-ca",
    "SWE": "Thụy Điển",
    "CHE": "Thụy Sĩ",
    "TWN": "Đài Loan (Trung Quốc)",
    "THA": "Thái Lan",
    "TLS": "Đông Ti-mo",
    "TUR": "Thổ Nhĩ Kỳ",
    "UKR": "U-crai-na",
    "ARE": "Các Tiểu vương quốc A-rập Thống nhất",
    "GBR": "Vương quốc Anh",
    "USA": "Hoa Kỳ",
    "UZB": "U-dơ-bê-ki-xtan",
    "VNM": "Việt Nam",
}
# English names a citizen recognises, where ISO's official name is long or political.
_ENGLISH_NAMES = {"TWN": "Taiwan (China)", "HKG": "Hong Kong (China)", "MAC": "Macao (China)"}

NATIONALITY_UNKNOWN = _("Choose a nationality from the list.")


def country_name(alpha_3: str, *, language: str | None = None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        return alpha_3
    if language == "vi" and alpha_3 in VIETNAMESE_COUNTRY_NAMES:
        return VIETNAMESE_COUNTRY_NAMES[alpha_3]
    return _ENGLISH_NAMES.get(alpha_3) or getattr(country, "common_name", None) or country.name


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d")).encode("ascii", "ignore").lower()


def nationality_choices(*, exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (alpha-3 code, name in the current language), sorted by that name."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return list(_nationality_choices(language=language, exclude=exclude))


@cache
def _nationality_choices(*, language: str, exclude: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # The list is fixed per language: sorted once per process rather than on every page view.
    choices = [
        (c.alpha_3, country_name(c.alpha_3, language=language)) for c in pycountry.countries if c.alpha_3 not in exclude
    ]
    return tuple(sorted(choices, key=lambda choice: _sort_key(choice[1])))


# --- Provinces and wards (vietnam-provinces, after the 2025 rearrangement) -------------------------------------
HOME_PROVINCE = ProvinceCode.P_79  # Thành phố Hồ Chí Minh
WARD_NOT_IN_PROVINCE = _("This ward is not in the province you chose. Choose the ward again from the list.")


def province_choices() -> list[tuple[str, str]]:
    return list(_province_choices())


@cache
def _province_choices() -> tuple[tuple[str, str], ...]:
    provinces = sorted(
        Province.iter_all(), key=lambda p: _sort_key(p.name.removeprefix("Thành phố ").removeprefix("Tỉnh "))
    )
    return tuple((str(p.code.value), p.name) for p in provinces)


def ward_choices(*, province_code: int) -> list[tuple[str, str]]:
    try:
        code = ProvinceCode(int(province_code))
    except ValueError:
        return []
    return list(_ward_choices(code))


@cache
def _ward_choices(code: ProvinceCode) -> tuple[tuple[str, str], ...]:
    wards = sorted(Ward.iter_by_province(code), key=lambda w: _sort_key(w.name))
    return tuple((str(w.code.value), w.name) for w in wards)


def province_name(code: str | int) -> str:
    try:
        return Province.from_code(ProvinceCode(int(code))).name
    except ValueError:
        return str(code)


def ward_name(code: str | int) -> str:
    from vietnam_provinces import WardCode

    try:
        return Ward.from_code(WardCode(int(code))).name
    except ValueError:
        return str(code)


def check_ward_in_province(*, ward_code: str, province_code: str) -> None:
    from vietnam_provinces import WardCode

    try:
        ward = Ward.from_code(WardCode(int(ward_code)))
    except ValueError as exc:
        raise ValidationError(WARD_NOT_IN_PROVINCE, code="ward_province") from exc
    if str(ward.province_code.value) != str(province_code):
        raise ValidationError(WARD_NOT_IN_PROVINCE, code="ward_province")
