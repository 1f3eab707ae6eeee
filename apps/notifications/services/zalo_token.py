"""The Zalo OA access token: one row, sealed, refreshed under its lock (refresh tokens are single use and
rotate); this process keeps a copy so a send costs no extra query."""

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..channels import TransientHTTPError, http_post
from ..crypto import SealError, seal, unseal
from ..models import ZaloToken

logger = logging.getLogger(__name__)


class ZaloTokenError(Exception):
    pass


ZALO_TOKEN_MARGIN = timedelta(minutes=5)
# This process's copy of the current access token, so a send costs no extra query. If another process rotated
# the pair meanwhile, Zalo answers -124 and zalo_token_refresh finds the new token in the row.
_access_token_memo: dict[str, object] = {}


def _memo(access_token: str, expires_at: datetime | None) -> None:
    _access_token_memo.clear()
    if access_token and expires_at:
        _access_token_memo.update(token=access_token, expires_at=expires_at)


def zalo_token_get() -> str:
    """A valid OA access token, refreshing it first when it is missing or about to expire."""
    expires_at = _access_token_memo.get("expires_at")
    if expires_at and expires_at > timezone.now() + ZALO_TOKEN_MARGIN:
        return str(_access_token_memo["token"])
    token = ZaloToken.objects.filter(oa_key="default").first()
    if (
        token
        and token.access_token_sealed
        and token.expires_at
        and token.expires_at > timezone.now() + (ZALO_TOKEN_MARGIN)
    ):
        try:
            access_token = unseal(token.access_token_sealed)
        except SealError as exc:
            raise ZaloTokenError("the stored token cannot be read (SECRET_KEY changed?)") from exc
        _memo(access_token, token.expires_at)
        return access_token
    return zalo_token_refresh()


def zalo_token_refresh(*, stale_access_token: str | None = None, force: bool = False) -> str:
    """Exchange the refresh token for a new pair, under the token row's lock.

    Refresh tokens are single use and rotate, so the new pair is committed *before* the new access token is
    used; a process that waited for the lock and finds a fresh token (not the one Zalo just refused) uses it
    instead of refreshing again. Any refusal is terminal: an operator grants access again (logged, stored)."""
    error = ""
    with transaction.atomic():
        row = ZaloToken.objects.select_for_update().filter(oa_key="default").first()
        if row is None:
            ZaloToken.objects.get_or_create(oa_key="default")
            row = ZaloToken.objects.select_for_update().get(oa_key="default")
        now = timezone.now()
        current = ""
        if row.access_token_sealed:
            try:
                current = unseal(row.access_token_sealed)
            except SealError:
                current = ""
        fresh = bool(current and row.expires_at and row.expires_at > now + ZALO_TOKEN_MARGIN)
        if fresh and not force and current != stale_access_token:
            _memo(current, row.expires_at)
            return current
        refresh_token = settings.ZALO_REFRESH_TOKEN
        if row.refresh_token_sealed:
            try:
                refresh_token = unseal(row.refresh_token_sealed)
            except SealError:
                refresh_token = ""
        if not refresh_token:
            error = "no refresh token: an OA administrator must grant the app access again"
        else:
            try:
                status, raw = http_post(
                    settings.ZALO_OAUTH_TOKEN_URL,
                    form={
                        "app_id": settings.ZALO_APP_ID,
                        "grant_type": "refresh_token",
                        "refresh_token": refresh_token,
                    },
                    headers={"secret_key": settings.ZALO_APP_SECRET},
                )
            except TransientHTTPError as exc:
                status, raw = 0, str(exc)
            access, new_refresh, expires_in = _parse_token_answer(raw)
            if status == 200 and access and new_refresh:
                row.access_token_sealed = seal(access)
                row.refresh_token_sealed = seal(new_refresh)
                row.expires_at = now + timedelta(seconds=expires_in)
                row.refreshed_at = now
                row.last_error = ""
                row.save()
                logger.info("Zalo OA token refreshed; valid for %s s", expires_in)
                _memo(access, row.expires_at)
                return access
            error = f"HTTP {status}: {raw[:1000]}"
    _memo("", None)
    # Recorded outside the (finished) transaction so the failure is visible to operators in admin.
    ZaloToken.objects.filter(oa_key="default").update(last_error=error)
    logger.error("Zalo OA token refresh failed: %s", error)
    raise ZaloTokenError(error)


def _parse_token_answer(raw: str) -> tuple[str, str, int]:
    try:
        answer = json.loads(raw)
        expires_in = int(answer.get("expires_in") or 0) or 3600
        return str(answer.get("access_token") or ""), str(answer.get("refresh_token") or ""), expires_in
    except (ValueError, AttributeError, TypeError):
        return "", "", 0


def zalo_token_store(*, access_token: str, refresh_token: str, expires_in: int) -> ZaloToken:
    """Save a pair an OA administrator obtained (first grant, or again after the refresh token was lost)."""
    with transaction.atomic():
        row, _created = ZaloToken.objects.select_for_update().get_or_create(oa_key="default")
        row.access_token_sealed = seal(access_token) if access_token else ""
        row.refresh_token_sealed = seal(refresh_token)
        row.expires_at = timezone.now() + timedelta(seconds=expires_in) if access_token else None
        row.refreshed_at = timezone.now()
        row.last_error = ""
        row.save()
    _memo("", None)
    return row


def zalo_token_refresh_if_due() -> bool:
    """Refresh early (the access token lives ~25 h): called hourly by beat. True when it refreshed."""
    if not (settings.ZALO_APP_ID and settings.ZALO_APP_SECRET):
        return False
    row = ZaloToken.objects.filter(oa_key="default").first()
    if row is None and not settings.ZALO_REFRESH_TOKEN:
        return False
    early = timedelta(seconds=settings.ZALO_TOKEN_REFRESH_BEFORE_SECONDS)
    if row and row.expires_at and row.expires_at > timezone.now() + early:
        return False
    try:
        zalo_token_refresh(force=True)
    except ZaloTokenError:
        return False
    return True
