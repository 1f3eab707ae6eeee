"""Find the ward police station from what a citizen types: a street, a ward, old or new name, with or without
diacritics ("Phường 9, Quận 4", "p9 q4", "Khánh Hội", "khanh hoi").

Since 1 July 2025 districts are gone and wards were merged; people still use the old names. Each ward station
has the current ward code (`ward_code`) and, in `area_served`, the former wards and streets it covers. The
national list (vietnam-provinces) tells which former wards form each current ward, so an old name leads to the
current ward and its stations even when `area_served` does not mention it; that mapping is apps.units.legacy's,
the same the declaration's address picker uses.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from vietnam_provinces import Ward

from .legacy import (
    DISTRICT_NUMBER,
    HOME_PROVINCE,
    QUERY_MAX_LENGTH,
    WARD_NUMBER,
    legacy_ward_current,
    normalize_place,
)
from .legacy import contains as _contains
from .models import PoliceUnit, UnitKind
from .names import normalize_search

INDEX_CACHE_KEY = "units:ward-index:v1"
_WARD = WARD_NUMBER
_DISTRICT = DISTRICT_NUMBER
_BRACKETS = re.compile(r"\([^)]*\)")
# Words too common to identify a place on their own.
_GENERIC = {"phuong", "quan", "thanh pho", "ho chi minh", "tp ho chi minh", "tp hcm", "xa", "cu", "moi"}


@dataclass(frozen=True)
class CurrentWard:
    code: str
    name: str  # "Phường Khánh Hội"
    key: str  # "khanh hoi"


@dataclass(frozen=True)
class StationEntry:
    unit_id: int
    old_wards: tuple[tuple[str, str], ...]  # (ward number, district number or "")
    phrases: tuple[str, ...]  # streets and place names from area_served
    ward: CurrentWard | None


@dataclass
class FinderResult:
    query: str
    unit_ids: list[int] = field(default_factory=list)
    exact: bool = False  # matched the station's own former ward
    current_ward: str = ""  # "Phường Khánh Hội"
    legacy_label: str = ""  # "Phường 9, Quận 4"


@lru_cache(maxsize=256)
def current_ward(code: str) -> CurrentWard | None:
    try:
        ward = Ward.from_code(int(code))
    except (ValueError, KeyError, LookupError):
        return None
    key = normalize_search(ward.name)
    for prefix in ("phuong ", "xa ", "dac khu "):
        key = key.removeprefix(prefix)
    return CurrentWard(code=str(code), name=ward.name, key=key)


def _entry(unit: PoliceUnit) -> StationEntry:
    area = normalize_place(unit.area_served)
    name = normalize_place(unit.name)
    old_wards = []
    for text in (area, name):
        district = _DISTRICT.search(text)
        for number in _WARD.findall(text):
            old_wards.append((number, district.group(1) if district else ""))
    phrases = []
    for part in re.split(r"[;,]", _BRACKETS.sub(" ", unit.area_served)):
        phrase = normalize_place(part)
        phrase = _WARD.sub("", _DISTRICT.sub("", phrase)).strip()
        if len(phrase) >= 4 and phrase not in _GENERIC:
            phrases.append(phrase)
    return StationEntry(
        unit_id=unit.pk,
        old_wards=tuple(dict.fromkeys(old_wards)),
        phrases=tuple(phrases),
        ward=current_ward(unit.ward_code) if unit.ward_code else None,
    )


def ward_index() -> list[StationEntry]:
    entries = cache.get(INDEX_CACHE_KEY)
    if entries is None:
        units = PoliceUnit.objects.filter(is_active=True, kind=UnitKind.WARD).order_by("order", "name")
        entries = [_entry(unit) for unit in units]
        cache.set(INDEX_CACHE_KEY, entries, 3600)
    return entries


def ward_index_clear() -> None:
    cache.delete(INDEX_CACHE_KEY)


def ward_station_find(*, address: str) -> FinderResult:
    query = normalize_place(address)
    result = FinderResult(query=address.strip()[:QUERY_MAX_LENGTH])
    if len(query) < 2:
        return result
    district = _DISTRICT.search(query)
    query_district = district.group(1) if district else ""
    query_wards = _WARD.findall(query)
    # Old ward names go through the one mapping the address picker uses too (apps.units.legacy).
    legacy = {m.code: m.label for m in legacy_ward_current(text=address, province=HOME_PROVINCE)}
    scored: list[tuple[int, StationEntry, str]] = []
    for entry in ward_index():
        score, legacy_label = 0, ""
        # A station naming the old ward in its area is exact, unless the national list puts that old ward in
        # other current wards than the station's (then the mapping decides).
        agrees = entry.ward is None or not legacy or int(entry.ward.code) in legacy
        for number, own_district in entry.old_wards:
            same_district = not query_district or not own_district or own_district == query_district
            if number in query_wards and same_district and agrees:
                score = 3
        if entry.ward is not None:
            if score < 2 and entry.ward.key and _contains(query, entry.ward.key):
                score = 2
            if int(entry.ward.code) in legacy:
                legacy_label = legacy[int(entry.ward.code)]
                score = max(score, 2)
        if score == 0 and any(_contains(query, phrase) for phrase in entry.phrases):
            score = 1
        if score:
            scored.append((score, entry, legacy_label))
    if not scored:
        return result
    best = max(score for score, _entry_, _label in scored)
    winners = [(entry, label) for score, entry, label in scored if score == best]
    result.unit_ids = [entry.unit_id for entry, _label in winners]
    result.exact = best == 3
    wards = {entry.ward.name for entry, _label in winners if entry.ward}
    if len(wards) == 1:
        result.current_ward = wards.pop()
    result.legacy_label = next((label for _entry_, label in winners if label), "")
    return result
