from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, CharField, OuterRef, Prefetch, QuerySet, Subquery, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from apps.core.prepared import PreparedRead

from .models import OpeningHours, PoliceUnit, UnitKind, UnitPhone, Weekday

HOME_UNIT_CACHE_KEY = "units:home:v2"
DIRECTORY_VERSION_KEY = "units:directory:version"


def unit_list_active(*, kind: str | None = None) -> QuerySet[PoliceUnit]:
    qs = PoliceUnit.objects.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.prefetch_related(
        Prefetch("phones", queryset=UnitPhone.objects.order_by("order", "id")),
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
    )


def unit_list_receiving_id_applications() -> QuerySet[PoliceUnit]:
    return unit_list_active().filter(receives_id_applications=True)


@dataclass(frozen=True)
class HomeUnit:
    """What every page's header and footer show: cached, so content pages cost no query for it."""

    name: str
    name_en: str
    address: str
    address_en: str
    hotline: str
    hotline_href: str

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def display_address(self, language: str) -> str:
        return self.address_en if language == "en" and self.address_en else self.address


def unit_get_home_unit() -> PoliceUnit | None:
    """The unit that runs the portal: settings.PORTAL_HOME_UNIT (a slug) when set; otherwise the first active district
    police, or, where there is none (a province police after the 2025 reform), the first active unit of any kind."""
    units = unit_list_active().order_by("order", "pk")
    if settings.PORTAL_HOME_UNIT:
        return units.filter(slug=settings.PORTAL_HOME_UNIT).first()
    return units.filter(kind=UnitKind.DISTRICT).first() or units.exclude(kind=UnitKind.WARD).first() or units.first()


def _home_unit_rows(*, slug: str | None = None) -> QuerySet:
    """The home unit's names, addresses and hotline as plain values: the unit of `slug`, or the unit
    unit_get_home_unit picks without the setting; its first hotline or else its first phone (phones' own order)."""
    units = PoliceUnit.objects.filter(is_active=True)
    if slug is not None:
        units = units.filter(slug=slug)
    else:
        rank = Case(When(kind=UnitKind.DISTRICT, then=0), When(kind=UnitKind.WARD, then=2), default=1)
        units = units.order_by(rank, "order", "pk")
    phone = UnitPhone.objects.filter(unit=OuterRef("pk")).order_by("-is_hotline", "order", "id").values("number")[:1]
    return units.annotate(hotline=Subquery(phone)).values_list("name", "name_en", "address", "address_en", "hotline")[
        :1
    ]


# Compiled once per process (apps.core.prepared): this read runs on every page whose header is not cached.
_HOME_UNIT_BY_SLUG = PreparedRead(lambda slug: _home_unit_rows(slug=slug), slug=str)
_HOME_UNIT_BY_KIND = PreparedRead(_home_unit_rows)


def _home_unit_row() -> tuple[str, str, str, str, str | None] | None:
    slug = settings.PORTAL_HOME_UNIT
    rows = _HOME_UNIT_BY_SLUG(slug=slug) if slug else _HOME_UNIT_BY_KIND()
    return rows[0] if rows else None


def unit_get_home() -> HomeUnit | None:
    """What the header and footer show of the home unit (unit_get_home_unit): cached, and one query when not."""
    cached = cache.get(HOME_UNIT_CACHE_KEY)
    if cached is not None:
        return cached or None
    row = _home_unit_row()
    if row is None:
        cache.set(HOME_UNIT_CACHE_KEY, False, 60)
        return None
    name, name_en, address, address_en, hotline = row
    home = HomeUnit(
        name=name,
        name_en=name_en,
        address=address,
        address_en=address_en,
        hotline=hotline or "",
        hotline_href=UnitPhone(number=hotline).tel_href if hotline else "",
    )
    cache.set(HOME_UNIT_CACHE_KEY, home, 300)
    return home


def unit_home_cache_clear() -> None:
    """Forget every cached view of the units: header/footer unit, directory pages, ward finder index."""
    cache.delete_many([HOME_UNIT_CACHE_KEY, "units:ward-index:v1"])
    try:
        cache.incr(DIRECTORY_VERSION_KEY)
    except ValueError:
        cache.set(DIRECTORY_VERSION_KEY, 2, None)


def unit_directory_version() -> int:
    version = cache.get(DIRECTORY_VERSION_KEY)
    if version is None:
        cache.add(DIRECTORY_VERSION_KEY, 1, None)
        version = cache.get(DIRECTORY_VERSION_KEY, 1)
    return version


@dataclass(frozen=True)
class DirectoryGroup:
    kind: str
    label: str
    units: list[PoliceUnit]


def unit_directory_groups(*, ids: list[int] | None = None) -> list[DirectoryGroup]:
    """Active units grouped city / district / wards, with phones, hours and the folded hours summary."""
    qs = unit_list_active()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    units = list(qs)
    for unit in units:
        unit.hours_summary = unit_opening_hours_summary(unit=unit)
    return [
        DirectoryGroup(kind=kind, label=str(label), units=[u for u in units if u.kind == kind])
        for kind, label in UnitKind.choices
        if any(u.kind == kind for u in units)
    ]


@dataclass(frozen=True)
class HoursLine:
    days: str
    periods: str


def unit_opening_hours_summary(*, unit: PoliceUnit) -> list[HoursLine]:
    """Opening hours folded into lines such as "Monday – Friday: 07:30–11:30, 13:30–17:00".

    Uses the prefetched opening_hours; consecutive weekdays with identical periods are merged.
    """
    return opening_hours_lines((r.weekday, f"{r.opens:%H:%M}", f"{r.closes:%H:%M}") for r in unit.opening_hours.all())


def opening_hours_lines(rows) -> list[HoursLine]:
    """`rows`: (weekday, opens, closes) ordered by weekday and opening time, the times as text beginning with
    "HH:MM" (e.g. "07:30" or the database's "07:30:00"); see unit_opening_hours_summary."""
    by_day: dict[int, str] = {}
    for weekday, day_rows in groupby(rows, key=lambda r: r[0]):
        by_day[weekday] = ", ".join(f"{opens[:5]}–{closes[:5]}" for _w, opens, closes in day_rows)
    lines: list[HoursLine] = []
    day = 0
    while day < 7:
        if day not in by_day:
            day += 1
            continue
        start = day
        while day + 1 < 7 and by_day.get(day + 1) == by_day[start]:
            day += 1
        first, last = Weekday(start).label, Weekday(day).label
        days = str(first) if start == day else _("%(first)s – %(last)s") % {"first": first, "last": last}
        lines.append(HoursLine(days=days, periods=by_day[start]))
        day += 1
    return lines


# The directory's reads (apps.units.cards.directory_listing_html), compiled once per process.
_DIRECTORY_UNITS = PreparedRead(
    lambda: (
        PoliceUnit.objects.filter(is_active=True)
        .order_by("order", "name")
        .values_list(
            "pk",
            "kind",
            "slug",
            "name",
            "name_en",
            "address",
            "address_en",
            "area_served",
            "area_served_en",
            "email",
            "map_url",
        )
    )
)
_DIRECTORY_PHONES = PreparedRead(
    lambda: (
        UnitPhone.objects.filter(unit__is_active=True)
        .order_by("unit", "order", "id")
        .values_list("unit", "is_hotline", "label", "label_en", "number")
    )
)
_DIRECTORY_HOURS = PreparedRead(
    lambda: (
        OpeningHours.objects.filter(unit__is_active=True)
        .order_by("unit", "weekday", "opens")
        # As text ("07:30:00" on SQLite and PostgreSQL): the directory only prints them, and parsing ~200 times into
        # time objects was a third of its cost.
        .annotate(opens_text=Cast("opens", CharField()), closes_text=Cast("closes", CharField()))
        .values_list("unit", "weekday", "opens_text", "closes_text")
    )
)


def _by_unit(rows: list[tuple]) -> dict[int, list[tuple]]:
    """Rows whose first value is a unit's pk, grouped by it (the rest of each row), in their order."""
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def unit_opening_hours_rows() -> dict[int, list[tuple[int, str, str]]]:
    """Every active unit's opening hours as (weekday, opens, closes) rows, the times as text, by unit pk, in
    display order (for opening_hours_lines); one query."""
    return _by_unit(_DIRECTORY_HOURS())


def unit_directory_reads() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The directory's three reads as plain rows, each in display order: active units (pk, kind, slug, name,
    name_en, address, address_en, area_served, area_served_en, email, map_url), their phones (unit pk, is_hotline,
    label, label_en, number) and opening hours (unit pk, weekday, opens, closes, the times as text). Three
    queries; see unit_directory_rows for the phones and hours by unit."""
    return _DIRECTORY_UNITS(), _DIRECTORY_PHONES(), _DIRECTORY_HOURS()


def unit_directory_rows(
    reads: tuple[list[tuple], list[tuple], list[tuple]],
) -> tuple[list[tuple], dict[int, list[tuple]], dict[int, list[tuple]]]:
    """unit_directory_reads' rows with the phones (is_hotline, label, label_en, number) and opening hours (weekday,
    opens, closes) by unit pk."""
    units, phones, hours = reads
    return units, _by_unit(phones), _by_unit(hours)
