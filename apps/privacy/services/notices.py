"""The privacy notice: the version in force, and adding a new one (a published text never changes)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.privacy.models import PrivacyNotice

CACHE_KEY = "privacy:notice:{minute}"


def privacy_notice_current(*, now=None) -> PrivacyNotice | None:
    """The latest version in force; journeys show it and record its `version` with the filing.

    Cached per minute (journey pages show it on every load), and dropped when a version is added."""
    now = now or timezone.now()
    key = CACHE_KEY.format(minute=now.strftime("%Y%m%d%H%M"))
    notice = cache.get(key)
    if notice is None:
        notice = PrivacyNotice.objects.filter(published_at__lte=now).order_by("-version").first() or False
        cache.set(key, notice, 60)
    return notice or None


def privacy_notice_version() -> int | None:
    """The version a citizen accepts when they submit now."""
    notice = privacy_notice_current()
    return notice.version if notice else None


@transaction.atomic
def privacy_notice_publish(*, notice: PrivacyNotice) -> PrivacyNotice:
    """Save `notice` as the next version (the one before stays as it was, for filings that accepted it)."""
    last = PrivacyNotice.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    notice.pk = None
    notice.version = last + 1
    notice.full_clean()
    notice.save()
    minute = CACHE_KEY.format(minute=timezone.now().strftime("%Y%m%d%H%M"))
    cache.delete(minute)
    transaction.on_commit(lambda: cache.delete(minute))
    return notice
