"""A unit's card (name, address, area, tap-to-call phones, opening hours, e-mail, map), built in Python.

The directory shows every active unit (17 cards, about 20 KB, on the district's demo data): rendered through an
included template per card, per phone and per hours line, the list was nearly all of the page's time whenever it
was not in the cache. The same function renders the card everywhere (directory, ward finder, procedure pages: the
`unit_card` template tag), so there is one markup for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape  # as django.utils.html.escape, without wrapping each value in a SafeString
from urllib.parse import quote

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from apps.core.prepared import BuiltFromRows

from .models import UnitKind
from .selectors import HoursLine, opening_hours_lines, unit_directory_reads, unit_directory_rows


@dataclass(frozen=True)
class CardPhone:
    number: str
    label: str  # in the page's language
    is_hotline: bool

    @property
    def tel_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass(frozen=True)
class CardUnit:
    slug: str
    name: str  # in the page's language
    address: str
    area_served: str  # in the page's language; empty: no "Area" line
    email: str
    map_url: str
    phones: tuple[CardPhone, ...]
    hours: tuple[HoursLine, ...]


def unit_map_href(*, map_url: str, name: str, address: str) -> str:
    """The unit's own map link, or a map search for its (Vietnamese) name and address (opens the phone's map app)."""
    if map_url:
        return map_url
    return "https://www.google.com/maps/search/?api=1&query=" + quote(f"{name}, {address}")


def card_unit_from_model(unit) -> CardUnit:
    """A PoliceUnit with its phones (prefetched) and `hours_summary` as the card shows it in the current language."""
    return CardUnit(
        slug=unit.slug,
        name=unit.display_name,
        address=unit.display_address,
        area_served=unit.display_area_served if unit.area_served else "",
        email=unit.email,
        map_url=unit_map_href(map_url=unit.map_url, name=unit.name, address=unit.address),
        phones=tuple(
            CardPhone(number=p.number, label=p.display_label if p.label else "", is_hotline=p.is_hotline)
            for p in unit.phones.all()
        ),
        hours=tuple(getattr(unit, "hours_summary", ()) or ()),
    )


class _Words:
    """The card's fixed words in the current language, looked up once per list."""

    def __init__(self):
        self.language = get_language()
        self.area = escape(gettext("Area"))
        self.map = escape(gettext("Map"))


def unit_cards_html(units: Iterable[CardUnit]) -> SafeString:
    words = _Words()
    return mark_safe("\n".join(_card(unit, words) for unit in units))  # noqa: S308 (every value is escaped)


def unit_card_html(unit: CardUnit) -> SafeString:
    return unit_cards_html([unit])


def _card(unit: CardUnit, words: _Words) -> str:
    parts = [
        f'<article class="portal-card" id="{escape(unit.slug)}">',
        f'  <h3 class="h6 mb-1">{escape(unit.name)}</h3>',
        f'  <p class="mb-1">{escape(unit.address)}</p>',
    ]
    if unit.area_served:
        parts.append(f'  <p class="small text-body-secondary mb-1">{words.area}: {escape(unit.area_served)}</p>')
    parts.append('  <ul class="portal-phones">')
    for phone in unit.phones:
        style = "btn-primary" if phone.is_hotline else "btn-outline-primary"
        label = f"{escape(phone.label)}: " if phone.label else ""
        parts.append(
            f'    <li><a class="btn {style}" href="{escape(phone.tel_href)}">{label}{escape(phone.number)}</a></li>'
        )
    parts.append("  </ul>")
    if unit.hours:
        lines = "".join(f"<dt>{escape(line.days)}</dt><dd>{escape(line.periods)}</dd>" for line in unit.hours)
        parts.append(f'  <dl class="portal-hours">\n      {lines}\n    </dl>')
    email = f'<a href="mailto:{escape(unit.email)}">{escape(unit.email)}</a> · ' if unit.email else ""
    parts.append(
        f'  <p class="mb-0 small">\n    {email}<a href="{escape(unit.map_url)}" rel="noopener">{words.map}</a>\n  </p>'
    )
    parts.append("</article>")
    return "\n".join(parts)


# The listing this process last built, per language, with the rows read for it (see directory_listing_html).
_built = BuiltFromRows()


def directory_listing_html() -> SafeString:
    """Every active unit's card, grouped city / district / wards (sections with the kind's label), in the current
    language: three queries of plain values and no template.

    The rows are read on every call; the HTML is a function of those rows and the language only (the words come
    from the translation catalogs, fixed while the process runs), so when the rows equal the ones of this
    process's last build in that language, that build is returned instead of being made again. A unit, phone or
    opening time changed in admin changes the rows, on every node at its next request, with or without a cache."""
    return _built.get(get_language(), unit_directory_reads(), _directory_listing_build)


def _directory_listing_build(reads: tuple) -> SafeString:
    units, phones, hours = unit_directory_rows(reads)
    english = get_language() == "en"
    folded: dict[tuple, tuple[HoursLine, ...]] = {}  # most units keep the same hours: fold each week once

    def _hours(rows: tuple) -> tuple[HoursLine, ...]:
        lines = folded.get(rows)
        if lines is None:
            lines = folded[rows] = tuple(opening_hours_lines(rows))
        return lines

    by_kind: dict[str, list[CardUnit]] = {}
    for pk, kind, slug, name, name_en, address, address_en, area, area_en, email, map_url in units:
        by_kind.setdefault(kind, []).append(
            CardUnit(
                slug=slug,
                name=name_en if english and name_en else name,
                address=address_en if english and address_en else address,
                area_served=(area_en if english and area_en else area) if area else "",
                email=email,
                map_url=unit_map_href(map_url=map_url, name=name, address=address),
                phones=tuple(
                    CardPhone(
                        number=number,
                        label=(label_en if english and label_en else label) if label else "",
                        is_hotline=is_hotline,
                    )
                    for is_hotline, label, label_en, number in phones.get(pk, ())
                ),
                hours=_hours(tuple(hours.get(pk, ()))),
            )
        )
    words = _Words()
    sections = []
    for kind, label in UnitKind.choices:
        cards = by_kind.get(kind)
        if cards:
            body = "\n".join(_card(card, words) for card in cards)
            sections.append(
                f'<section class="mt-4" id="{escape(kind)}">\n<h2 class="h5">{escape(label)}</h2>\n{body}\n</section>'
            )
    return mark_safe("\n".join(sections))  # noqa: S308 (every value is escaped)
