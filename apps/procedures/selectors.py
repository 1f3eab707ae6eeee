from collections.abc import Callable
from datetime import date

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.urls import Resolver404, resolve

from apps.core.prepared import PreparedRead
from apps.fees.selectors import fee_text_render
from apps.units.models import PoliceUnit
from apps.units.selectors import unit_directory_version, unit_list_active, unit_opening_hours_summary

from .forms.registry import form_class_for
from .models import Procedure

# The catalogue changes only when officers edit it: what is built from it (the rendered list and detail pages, the
# procedure a journey step needs) is cached under a version that every save, delete or change of a procedure's
# units bumps (signals.py), and that the units' own version joins (a unit's address or hours on a detail page).
CACHE_VERSION_KEY = "procedures:catalogue:version"
CACHE_SECONDS = 600
_MISSING = object()


def procedure_cache_version() -> int:
    version = cache.get(CACHE_VERSION_KEY)
    if version is None:
        cache.add(CACHE_VERSION_KEY, 1, None)
        version = cache.get(CACHE_VERSION_KEY, 1)
    return version


def procedure_cache_clear() -> None:
    """Forget every cached view of the catalogue (called when a procedure or its units change)."""
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 2, None)


def procedure_cached[T](*, key: str, build: Callable[[], T]) -> T:
    """`build()`'s result, kept until the catalogue or the units change (or CACHE_SECONDS pass)."""
    full_key = f"procedures:{procedure_cache_version()}:{unit_directory_version()}:{key}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def procedure_fee_text(*, procedure: Procedure, on: date) -> str:
    """The catalogue's fee text in the active language, with the fee schedule's amounts for the day `on`."""
    return fee_text_render(procedure=procedure.slug, text=procedure.display_fee, on=on)


# Read on every view of the identity card journey's appointment step: compiled once per process.
_IDENTITY_CARD = PreparedRead(lambda: Procedure.objects.filter(slug=Procedure.IDENTITY_CARD).order_by("pk")[:1])


def procedure_get_identity_card() -> Procedure | None:
    """The identity card procedure (active or not: its journey decides), or None; one query."""
    found = _IDENTITY_CARD()
    return found[0] if found else None


def procedure_get_for_journey(*, slug: str) -> Procedure | None:
    """The active procedure at this address, without its units (what a journey step needs), cached; or None."""

    def build():
        return Procedure.objects.filter(is_active=True, slug=slug).first()

    return procedure_cached(key=f"journey:{slug[:80]}", build=build)


def procedure_list_active() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_active=True)


def procedure_get_active(*, slug: str) -> Procedure | None:
    """An active procedure with its active units (phones and opening hours prefetched), or None."""
    units = unit_list_active().order_by("kind", "order", "name")
    return (
        Procedure.objects.filter(is_active=True, slug=slug)
        .prefetch_related(Prefetch("units", queryset=units, to_attr="active_units"))
        .first()
    )


def procedure_units_with_hours(*, procedure: Procedure) -> list[PoliceUnit]:
    """The active units handling a procedure, each with `hours_summary` for display."""
    units = getattr(procedure, "active_units", None)
    if units is None:
        units = list(unit_list_active().filter(procedures=procedure))
    for unit in units:
        unit.hours_summary = unit_opening_hours_summary(unit=unit)
    return units


def procedure_has_online_journey(*, procedure: Procedure) -> bool:
    """Whether some app serves the procedure's start page `/thu-tuc/<slug>/` (the identity card's journey, or
    this app's generic journey for a registered form). The catalogue shows "Book a visit" only then."""
    if not procedure.is_active:
        return False
    try:
        resolve(procedure.start_path)
    except Resolver404:
        return False
    return True


def procedure_is_bookable(*, procedure: Procedure) -> bool:
    """Bookable through this app's generic journey: active, with a registered form."""
    return procedure.is_active and form_class_for(procedure.slug) is not None
