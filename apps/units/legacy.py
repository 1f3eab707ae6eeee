"""Old ward and district names (before 1 July 2025) → today's wards: the one mapping that the directory's ward
finder (finder.py) and the declaration's address picker (apps.declarations.addresses) both use, so an old address
leads to the same current ward(s) wherever a citizen types it.

The national list (vietnam-provinces) says which former wards form each current ward; a former ward that was split
(Phường 2, 4 and 15 of Quận 4) maps to every current ward that took part of it. What citizens type is normalised
first: diacritics optional, common short forms expanded ("P.9, Q.4", "p9 q4", "F9", "Phuong 09 Quan 4").
"""

import re
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import ProvinceCode, Ward
from vietnam_provinces import legacy as vn_legacy

from .names import normalize_search

HOME_PROVINCE = 79  # Hồ Chí Minh City: the directory's stations are all here
QUERY_MAX_LENGTH = 120
WARD_NUMBER = re.compile(r"\bphuong 0*(\d+)\b")
DISTRICT_NUMBER = re.compile(r"\bquan 0*(\d+)\b")
# Abbreviations as people type them: "P.9", "p9", "F9" (Saigon usage), "Q.4", "q4", "Q. Bình Thạnh", "H. Cần Giờ".
_ABBREVIATIONS = [
    (re.compile(r"\b[pf] ?0*(\d+)\b"), r"phuong \1"),
    (re.compile(r"\bq ?0*(\d+)\b"), r"quan \1"),
    (re.compile(r"\bphuong phuong\b"), "phuong"),
    (re.compile(r"\bquan quan\b"), "quan"),
    (re.compile(r"\bq (?=[a-z]{2})"), "quan "),  # "Q. Bình Thạnh"
    (re.compile(r"\bh (?=[a-z]{2})"), "huyen "),  # "H. Bình Chánh"
    (re.compile(r"\bp (?=[a-z]{2})"), "phuong "),  # "P. Tân Định"
    (re.compile(r"\bphuong 0+(\d+)\b"), r"phuong \1"),
    (re.compile(r"\bquan 0+(\d+)\b"), r"quan \1"),
]
_UNIT_PREFIXES = ("phuong ", "xa ", "thi tran ", "dac khu ")


def normalize_place(text: str) -> str:
    """'P.9, Q.4, TP.HCM' -> 'phuong 9 quan 4 tp hcm'; 'Phường 09' -> 'phuong 9'."""
    text = normalize_search((text or "")[:QUERY_MAX_LENGTH])
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


def contains(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words."""
    return bool(phrase) and re.search(rf"(?:^| ){re.escape(phrase)}(?: |$)", text) is not None


def _strip(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


@dataclass(frozen=True)
class LegacyWard:
    """A former ward and the current ward (or one of them, when it was split) it became part of."""

    number: str  # "9" for "Phường 9"; "" for a named former ward
    key: str  # the name without its unit word: "9", "tan dinh"
    district_number: str  # "4" for "Quận 4"; "" for a named district
    district: str  # normalised full district name: "quan 4", "quan binh thanh", "huyen binh chanh"
    label: str  # "Phường 9, Quận 4"
    code: int  # the current ward
    name: str  # "Phường Khánh Hội"


@dataclass(frozen=True)
class CurrentWardMatch:
    code: int
    name: str
    label: str  # the former ward (or district) it was found from: "Phường 2, Quận 4"


@cache
def legacy_wards(province: int = HOME_PROVINCE) -> tuple[LegacyWard, ...]:
    """Every former ward of the province's current wards (computed once per process and province)."""
    rows = []
    for ward in Ward.iter_by_province(ProvinceCode(province)):
        for source in ward.get_legacy_sources():
            district = vn_legacy.District.from_code(source.district_code)
            name, district_name = normalize_search(source.name), normalize_search(district.name)
            number, district_number = WARD_NUMBER.search(name), DISTRICT_NUMBER.search(district_name)
            rows.append(
                LegacyWard(
                    number=number.group(1) if number else "",
                    key=_strip(name, _UNIT_PREFIXES),
                    district_number=district_number.group(1) if district_number else "",
                    district=district_name,
                    label=f"{source.name}, {district.name}",
                    code=int(ward.code),
                    name=ward.name,
                )
            )
    return tuple(rows)


def _districts_named(query: str, rows: tuple[LegacyWard, ...]) -> set[str]:
    """The former districts the query names ("quan 4", "quan binh thanh"), with their unit word."""
    numbered = {f"quan {n}" for n in DISTRICT_NUMBER.findall(query)}
    named = {row.district for row in rows if not row.district_number and contains(query, row.district)}
    return numbered | named


def legacy_ward_current(*, text: str, province: int = HOME_PROVINCE) -> list[CurrentWardMatch]:
    """Today's wards of `province` that the old name in `text` became (several when a former ward was split).

    `text` may carry the district ("Phường 9, Quận 4"); without one, a numbered ward matches in every former
    district ("Phường 9" → 8 current wards in Hồ Chí Minh City). A district alone gives all its current wards.
    """
    query = normalize_place(text)
    if len(query) < 2:
        return []
    rows = legacy_wards(province)
    numbers = set(WARD_NUMBER.findall(query))
    districts = _districts_named(query, rows)
    found: dict[int, CurrentWardMatch] = {}
    for row in rows:
        if districts and row.district not in districts:
            continue
        if row.number:
            if row.number not in numbers:
                continue
        elif not contains(query, row.key):
            continue
        found.setdefault(row.code, CurrentWardMatch(code=row.code, name=row.name, label=row.label))
    if not found and districts and not numbers:
        for row in rows:
            if row.district in districts:
                found.setdefault(row.code, CurrentWardMatch(code=row.code, name=row.name, label=row.label))
    return sorted(found.values(), key=lambda m: normalize_search(m.name))
