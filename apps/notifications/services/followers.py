"""The Official Account's followers: Zalo's 7-day window for consultation messages, follows and unfollows,
and the contact details a follower chose to share."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import zalo_api
from ..models import ZaloFollower
from .phones import phone_normalize


def zalo_window_is_open(*, user_id: str, now: datetime | None = None) -> bool:
    """Whether the OA may still send this follower a consultation message (zalo_api.CS_WINDOW since their last
    interaction with the Official Account)."""
    last = ZaloFollower.objects.filter(user_id=user_id).values_list("last_interaction_at", flat=True).first()
    return bool(last and last > (now or timezone.now()) - zalo_api.CS_WINDOW)


def zalo_follower_touch(
    *, user_id: str, at: datetime | None = None, interaction: bool = True, user_id_by_app: str = ""
) -> ZaloFollower:
    """Record that a follower interacted with the OA (a message, a follow): it (re)opens the sending window."""
    at = at or timezone.now()
    follower, _created = ZaloFollower.objects.get_or_create(user_id=user_id[:64], defaults={"created_at": at})
    changed = []
    if interaction and (follower.last_interaction_at is None or follower.last_interaction_at < at):
        follower.last_interaction_at = at
        changed.append("last_interaction_at")
    if user_id_by_app and follower.user_id_by_app != user_id_by_app[:64]:
        follower.user_id_by_app = user_id_by_app[:64]
        changed.append("user_id_by_app")
    if changed:
        follower.save(update_fields=changed)
    return follower


def zalo_follower_set_following(*, user_id: str, following: bool, at: datetime | None = None) -> ZaloFollower:
    at = at or timezone.now()
    follower = zalo_follower_touch(user_id=user_id, at=at, interaction=following)
    follower.is_follower = following
    if following:
        follower.followed_at = at
    else:
        follower.unfollowed_at = at
    follower.save(update_fields=["is_follower", "followed_at", "unfollowed_at"])
    return follower


def zalo_follower_share_info(*, user_id: str, info: dict[str, str], at: datetime | None = None) -> ZaloFollower:
    """Store what the follower chose to share through the "request user info" message. A phone that is not a valid
    Vietnamese mobile number is kept out (officers would otherwise call or text a wrong number)."""
    at = at or timezone.now()
    follower = zalo_follower_touch(user_id=user_id, at=at)
    phone = ""
    if info.get("phone"):
        try:
            phone = phone_normalize(info["phone"])
        except ValidationError:
            phone = ""
    follower.shared_name = info.get("name", "")[:120]
    follower.shared_phone = phone
    follower.shared_address = ", ".join(
        part for part in (info.get("address"), info.get("district"), info.get("city")) if part
    )[:300]
    follower.shared_at = at
    follower.save(update_fields=["shared_name", "shared_phone", "shared_address", "shared_at"])
    return follower
