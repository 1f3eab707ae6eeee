from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

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


def unit_get_home() -> HomeUnit | None:
    """What the header and footer show of the home unit (unit_get_home_unit), cached."""
    cached = cache.get(HOME_UNIT_CACHE_KEY)
    if cached is not None:
        return cached or None
    unit = unit_get_home_unit()
    if unit is None:
        cache.set(HOME_UNIT_CACHE_KEY, False, 60)
        return None
    phones = list(unit.phones.all())
    hotline = next((p for p in phones if p.is_hotline), phones[0] if phones else None)
    home = HomeUnit(
        name=unit.name,
        name_en=unit.name_en,
        address=unit.address,
        address_en=unit.address_en,
        hotline=hotline.number if hotline else "",
        hotline_href=hotline.tel_href if hotline else "",
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
    by_day: dict[int, str] = {}
    for weekday, rows in groupby(unit.opening_hours.all(), key=lambda r: r.weekday):
        by_day[weekday] = ", ".join(f"{r.opens:%H:%M}–{r.closes:%H:%M}" for r in rows)
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
