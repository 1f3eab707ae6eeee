import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation

from apps.units.selectors import unit_get_home

logger = logging.getLogger(__name__)


def portal(request):
    """The running unit's name and hotline for the header and footer (cached; otherwise one query compiled once per
    process, see unit_get_home)."""
    try:
        home = unit_get_home()
    except DatabaseError:  # the error pages still render when the database is down
        logger.exception("Could not load the home unit for the page header")
        home = None
    language = translation.get_language()
    return {
        "home_unit": home,
        "home_unit_name": home.display_name(language) if home else "",
        "home_unit_address": home.display_address(language) if home else "",
        "emergency_number": settings.EMERGENCY_NUMBER,
        "address_examples": settings.PORTAL_ADDRESS_EXAMPLES,
    }
