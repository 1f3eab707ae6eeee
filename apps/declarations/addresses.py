"""Vietnam's current administrative units (34 provinces, 3,321 wards since 1 July 2025), from the maintained
`vietnam-provinces` package, with its mapping from the old three-level names so a citizen who types an old
ward or district finds the right current ward. Lists are computed once per process."""

import unicodedata
from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward

from apps.units.legacy import legacy_ward_current

DEFAULT_PROVINCE = 79  # Hồ Chí Minh City: the portal's district


@cache
def province_choices() -> tuple[tuple[str, str], ...]:
    return tuple((str(int(p.code)), p.name) for p in Province.iter_all())


@cache
def _province_codes() -> frozenset[int]:
    return frozenset(int(p.code) for p in Province.iter_all())


def province_code(raw) -> int:
    try:
        code = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_PROVINCE
    return code if code in _province_codes() else DEFAULT_PROVINCE


@cache
def ward_choices(province: int) -> tuple[tuple[str, str], ...]:
    wards = sorted(Ward.iter_by_province(ProvinceCode(province)), key=lambda w: _sort_key(w.name))
    return (("", "—"),) + tuple((str(int(w.code)), w.name) for w in wards)


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFD", name).casefold()


def province_name(code) -> str:
    try:
        return Province.from_code(ProvinceCode(int(code))).name
    except (ValueError, TypeError, KeyError):
        return ""


def ward_name(code) -> str:
    try:
        return Ward.from_code(int(code)).name
    except (ValueError, TypeError, KeyError):
        return ""


def address_line(answers: dict, prefix: str) -> str:
    """'12 Đoàn Văn Bơ, Phường Khánh Hội, Thành phố Hồ Chí Minh' from a step's answers ("" when not given)."""
    if prefix == "current" and answers.get("current_same"):
        prefix = "permanent"
    street = answers.get(f"{prefix}_street") or ""
    ward = ward_name(answers.get(f"{prefix}_ward")) if answers.get(f"{prefix}_ward") else ""
    province = province_name(answers.get(f"{prefix}_province")) if answers.get(f"{prefix}_province") else ""
    return ", ".join(part for part in (street, ward, province) if part) if street or ward else ""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def ward_search_legacy(*, province: int, text: str) -> list[tuple[int, str]]:
    """Current wards of `province` that an old ward (or district) name maps to, e.g. "Phường 9, Quận 4", "P.9, Q.4"
    or "Phuong 9 Quan 4": the same mapping as the directory's ward finder (apps.units.legacy). A ward that was
    split maps to several current wards. A current ward's own name also counts (citizens mix old and new names).
    """
    found = {m.code: m.name for m in legacy_ward_current(text=text, province=province)}
    first = _fold(text.split(",")[0]) if text.strip() else ""
    for code, name in ward_choices(province)[1:] if first else ():
        if _fold(name) == first or _fold(name).endswith(" " + first):
            found.setdefault(int(code), name)
    return sorted(found.items(), key=lambda item: _sort_key(item[1]))
