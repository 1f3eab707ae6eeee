"""Find the ward police station from what a citizen types: a street, a ward, old or new name, with or without
diacritics ("Phường 9, Quận 4", "p9 q4", "Khánh Hội", "khanh hoi").

Since 1 July 2025 districts are gone and wards were merged; people still use the old names. Each ward station
has the current ward code (`ward_code`) and, in `area_served`, the former wards and streets it covers. The
national list (vietnam-provinces) tells which former wards form each current ward, so an old name leads to the
current ward and its stations even when `area_served` does not mention it.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from vietnam_provinces import Ward
from vietnam_provinces import legacy as vn_legacy

from .models import PoliceUnit, UnitKind
from .names import normalize_search

INDEX_CACHE_KEY = "units:ward-index:v1"
QUERY_MAX_LENGTH = 120
_WARD = re.compile(r"\bphuong (\d+)\b")
_DISTRICT = re.compile(r"\bquan (\d+)\b")
_BRACKETS = re.compile(r"\([^)]*\)")
# Abbreviations as people type them: "P.9", "p9", "F9" (Saigon usage), "Q.4", "q4".
_ABBREVIATIONS = [
    (re.compile(r"\b[pf] ?(\d+)\b"), r"phuong \1"),
    (re.compile(r"\bq ?(\d+)\b"), r"quan \1"),
    (re.compile(r"\bphuong phuong\b"), "phuong"),
]
# Words too common to identify a place on their own.
_GENERIC = {"phuong", "quan", "thanh pho", "ho chi minh", "tp ho chi minh", "tp hcm", "xa", "cu", "moi"}


def normalize_place(text: str) -> str:
    text = normalize_search(text[:QUERY_MAX_LENGTH])
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class LegacyWard:
    number: str  # "9" for "Phường 9"; "" for a named former ward
    name: str  # normalised, e.g. "phuong 9"
    district: str  # district number, e.g. "4"; "" when the district has no number
    label: str  # "Phường 9, Quận 4"


@dataclass(frozen=True)
class CurrentWard:
    code: str
    name: str  # "Phường Khánh Hội"
    key: str  # "khanh hoi"
    sources: tuple[LegacyWard, ...]


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
    sources = []
    for source in ward.get_legacy_sources():
        district = vn_legacy.District.from_code(source.district_code)
        name = normalize_search(source.name)
        number = _WARD.search(name)
        district_number = _DISTRICT.search(normalize_search(district.name))
        sources.append(
            LegacyWard(
                number=number.group(1) if number else "",
                name=name,
                district=district_number.group(1) if district_number else "",
                label=f"{source.name}, {district.name}",
            )
        )
    key = normalize_search(ward.name)
    for prefix in ("phuong ", "xa ", "dac khu "):
        key = key.removeprefix(prefix)
    return CurrentWard(code=str(code), name=ward.name, key=key, sources=tuple(sources))


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


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?:^| ){re.escape(phrase)}(?: |$)", text) is not None


def ward_station_find(*, address: str) -> FinderResult:
    query = normalize_place(address)
    result = FinderResult(query=address.strip()[:QUERY_MAX_LENGTH])
    if len(query) < 2:
        return result
    district = _DISTRICT.search(query)
    query_district = district.group(1) if district else ""
    query_wards = _WARD.findall(query)
    scored: list[tuple[int, StationEntry, str]] = []
    for entry in ward_index():
        score, legacy_label = 0, ""
        for number, own_district in entry.old_wards:
            same_district = not query_district or not own_district or own_district == query_district
            if number in query_wards and same_district:
                score = 3
        if entry.ward is not None:
            if score < 2 and entry.ward.key and _contains(query, entry.ward.key):
                score = 2
            for source in entry.ward.sources:
                same_district = not query_district or not source.district or source.district == query_district
                named = source.number in query_wards if source.number else _contains(query, source.name)
                if named and same_district:
                    legacy_label = source.label
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
