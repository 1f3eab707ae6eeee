"""Notifications' writes, one module per concern:

* `sending`: the outbox (`notification_send`, resends, the messages about an appointment, reminders);
* `delivery`: delivering a row on the channels in the kind's fallback order, retries, the sweep, receipts;
* `otp`: confirmation codes (`otp_issue`, `otp_verify`) and their ceilings;
* `followers`: the Zalo Official Account's followers and their sending window;
* `zalo_token`: the OA access token; `resealing`: stored secrets after a key rotation; `phones`: E.164 numbers.

Other apps call only `notification_send`, `otp_issue` and `otp_verify` (see docs/ARCHITECTURE.md); the names
below stay importable from `apps.notifications.services`. Modules depend downwards only (phones ← followers ←
delivery; phones ← sending ← otp; zalo_token ← resealing): no cycles.
"""

from .delivery import (
    DeliveryReport,
    channel_chain,
    notification_deliver,
    notification_mark_delivered,
    notification_requeue_due,
)
from .followers import zalo_follower_set_following, zalo_follower_share_info, zalo_follower_touch, zalo_window_is_open
from .otp import RateLimited, otp_issue, otp_verify
from .phones import phone_normalize
from .resealing import sealed_values_reseal
from .sending import (
    notification_mark_enqueued,
    notification_resend,
    notification_send,
    notification_send_appointment_change,
    reminders_send_due,
)
from .zalo_token import (
    ZaloTokenError,
    _access_token_memo,
    zalo_token_get,
    zalo_token_refresh,
    zalo_token_refresh_if_due,
    zalo_token_store,
)

__all__ = [
    "DeliveryReport",
    "RateLimited",
    "ZaloTokenError",
    "_access_token_memo",
    "channel_chain",
    "notification_deliver",
    "notification_mark_delivered",
    "notification_mark_enqueued",
    "notification_requeue_due",
    "notification_resend",
    "notification_send",
    "notification_send_appointment_change",
    "otp_issue",
    "otp_verify",
    "phone_normalize",
    "reminders_send_due",
    "sealed_values_reseal",
    "zalo_follower_set_following",
    "zalo_follower_share_info",
    "zalo_follower_touch",
    "zalo_token_get",
    "zalo_token_refresh",
    "zalo_token_refresh_if_due",
    "zalo_token_store",
    "zalo_window_is_open",
]
