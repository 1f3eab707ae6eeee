"""The privacy notice: the version in force, and adding a new one (a published text never changes)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.privacy.models import PrivacyNotice

CACHE_KEY = "privacy:notices"
CACHE_SECONDS = 3600


def privacy_notice_current(*, now=None) -> PrivacyNotice | None:
    """The latest version in force; journeys show it and record its `version` with the filing.

    Every version is cached together (a few short rows; journey pages read them on every load, without a query),
    newest first, and the one in force is picked by `published_at`, so a version published for a later day takes
    over on that day. Adding a version drops the cache."""
    now = now or timezone.now()
    notices = cache.get(CACHE_KEY)
    if notices is None:
        notices = list(PrivacyNotice.objects.order_by("-version"))
        cache.set(CACHE_KEY, notices, CACHE_SECONDS)
    return next((notice for notice in notices if notice.published_at <= now), None)


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
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    return notice
