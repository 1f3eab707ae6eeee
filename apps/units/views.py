from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from .cards import directory_listing_html
from .finder import QUERY_MAX_LENGTH, ward_station_find
from .selectors import unit_directory_groups, unit_directory_version

DIRECTORY_CACHE_SECONDS = 600


class DirectoryView(TemplateView):
    """The phone directory. The list of units is built in Python from three queries of plain values
    (apps.units.cards), then kept in the cache per language until a unit changes in admin (its version is bumped)."""

    template_name = "units/directory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = translation.get_language()
        key = f"units:directory:html:{unit_directory_version()}:{language}"
        listing = cache.get(key)
        if listing is None:
            listing = directory_listing_html()
            cache.set(key, listing, DIRECTORY_CACHE_SECONDS)
        context["listing"] = mark_safe(listing)  # noqa: S308 - rendered by our own autoescaping template
        address = self.request.GET.get("dia-chi", "").strip()[:QUERY_MAX_LENGTH]
        context["address"] = address
        if address:
            found = ward_station_find(address=address)
            context["found"] = found
            context["found_groups"] = unit_directory_groups(ids=found.unit_ids) if found.unit_ids else []
        return context
