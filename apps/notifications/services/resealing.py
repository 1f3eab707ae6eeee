"""Sealing stored secrets again after a data-key rotation (one-time codes waiting to be sent, the Zalo token)."""

import logging

from django.db import transaction

from ..crypto import SealError, reseal
from ..models import Notification, ZaloToken
from .zalo_token import _memo

logger = logging.getLogger(__name__)


def sealed_values_reseal() -> dict[str, int]:
    """Seal every stored secret again with the current data key (after a key rotation). Returns counts only.

    A value no configured key opens is left as it is and counted as unreadable (it stays so until the old key
    is configured again); nothing is logged about its content.
    """
    counts = {"resealed": 0, "unreadable": 0}
    with transaction.atomic():
        for row in Notification.objects.exclude(sealed_context="").select_for_update().only("pk", "sealed_context"):
            try:
                row.sealed_context = reseal(row.sealed_context)
            except SealError:
                counts["unreadable"] += 1
                continue
            Notification.objects.filter(pk=row.pk).update(sealed_context=row.sealed_context)
            counts["resealed"] += 1
        for token in ZaloToken.objects.select_for_update():
            for field in ("access_token_sealed", "refresh_token_sealed"):
                if not getattr(token, field):
                    continue
                try:
                    setattr(token, field, reseal(getattr(token, field)))
                except SealError:
                    counts["unreadable"] += 1
                    continue
                counts["resealed"] += 1
            token.save(update_fields=["access_token_sealed", "refresh_token_sealed"])
    _memo("", None)
    logger.info("Sealed values re-sealed: %(resealed)s, unreadable: %(unreadable)s", counts)
    return counts
