"""The privacy notice: the version in force, and adding a new one (a published text never changes)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.privacy.models import PrivacyNotice


def privacy_notice_current(*, now=None) -> PrivacyNotice | None:
    """The latest version in force; journeys show it and record its `version` with the filing."""
    return PrivacyNotice.objects.filter(published_at__lte=now or timezone.now()).order_by("-version").first()


@transaction.atomic
def privacy_notice_publish(*, notice: PrivacyNotice) -> PrivacyNotice:
    """Save `notice` as the next version (the one before stays as it was, for filings that accepted it)."""
    last = PrivacyNotice.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    notice.pk = None
    notice.version = last + 1
    notice.full_clean()
    notice.save()
    return notice
