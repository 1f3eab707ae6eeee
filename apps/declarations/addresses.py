"""Vietnam's current administrative units (34 provinces, 3,321 wards since 1 July 2025), from the maintained
`vietnam-provinces` package, with its mapping from the old three-level names so a citizen who types an old
ward or district finds the right current ward. Lists are computed once per process."""

import unicodedata
from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward

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


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def ward_search_legacy(*, province: int, text: str) -> list[tuple[int, str]]:
    """Current wards of `province` that an old ward (or district) name maps to, e.g. "Phường 9, Quận 4".

    The old name may carry its district after a comma; a ward that was split maps to several current wards.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return []
    ward_part, district_part = parts[0], (parts[1] if len(parts) > 1 else "")
    found: dict[int, str] = {}
    for name in {ward_part, unicodedata.normalize("NFC", ward_part)}:
        for hit in Ward.search_from_legacy(name=name):
            if int(hit.ward.province_code) == province:
                found[int(hit.ward.code)] = hit.ward.name
        if not district_part:
            for hit in Ward.search_from_legacy_district(name=name):
                if int(hit.ward.province_code) == province:
                    found[int(hit.ward.code)] = hit.ward.name
    if district_part and len(found) > 1:
        narrowed = _narrow_by_district(found, ward_part, district_part)
        if narrowed:
            found = narrowed
    # A current ward whose own name matches also counts (citizens mix old and new names).
    for code, name in ward_choices(province)[1:]:
        if _fold(name) == _fold(ward_part) or _fold(name).endswith(" " + _fold(ward_part)):
            found.setdefault(int(code), name)
    return sorted(found.items(), key=lambda item: _sort_key(item[1]))


def _narrow_by_district(found: dict[int, str], ward_part: str, district_part: str) -> dict[int, str]:
    in_district = {int(h.ward.code) for h in Ward.search_from_legacy_district(name=district_part)}
    return {code: name for code, name in found.items() if code in in_district}
