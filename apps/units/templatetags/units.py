from urllib.parse import quote

from django import template

register = template.Library()


@register.simple_tag
def unit_map_url(unit) -> str:
    """The unit's own map link, or a map search for its address (opens the phone's map app)."""
    if unit.map_url:
        return unit.map_url
    return "https://www.google.com/maps/search/?api=1&query=" + quote(f"{unit.name}, {unit.address}")
