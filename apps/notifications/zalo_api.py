"""What the portal assumes about the Zalo platform, in one place so it is easy to correct.

Every fact below comes from /work/shared/reference/zalo-api.md. Items marked [U] there are unconfirmed: check them
against a development-mode send or the live console before going live, and correct them HERE only (the OA channel,
the webhook and the conversations read them from this module).
"""

from datetime import timedelta

# --- Endpoints (settings may override the hosts: tests point them at loopback fakes) --------------------------
# OA consultation ("tư vấn") message, the reply channel [C] §4.1.
CS_MESSAGE_PATH = "/v3.0/oa/message/cs"
# Text limit of a consultation message [U] §4.1.
CS_TEXT_MAX = 2000

# --- Sending windows for consultation messages [U] §4.2 -------------------------------------------------------
# Free within 48 h of the follower's last interaction, billed up to 7 days, refused after.
CS_FREE_WINDOW = timedelta(hours=48)
CS_WINDOW = timedelta(days=7)

# --- OA API error codes [U] §4.4 ------------------------------------------------------------------------------
OA_RATE_LIMITED = -32
OA_NOT_FOLLOWER = -213
OA_TOKEN_ERRORS = frozenset({-216, -220})
OA_OUTSIDE_WINDOW = frozenset({-230, -232})
OA_NIGHT_BAN = -234
OA_TRANSIENT = frozenset({-32, -100, OA_NIGHT_BAN})

# --- Webhook events [S]/[U] §3.2, §2.7, §4.3 ------------------------------------------------------------------
USER_MESSAGE_EVENTS = {
    "user_send_text": "text",
    "user_send_image": "image",
    "user_send_gif": "image",
    "user_send_file": "file",
    "user_send_location": "location",
    "user_send_sticker": "sticker",
    "user_send_link": "link",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_business_card": "file",
}
FOLLOW_EVENT = "follow"
UNFOLLOW_EVENT = "unfollow"
USER_SUBMIT_INFO_EVENT = "user_submit_info"  # [U] the answer to a "request user info" message
DELIVERY_RECEIPT_EVENT = "user_received_message"  # [U] ZNS delivery receipt, correlated on tracking_id
# Events of the OA's own messages echoed back ("oa_send_text"…): nothing to do.
OA_ECHO_PREFIX = "oa_send_"


def event_user_id(event: dict) -> str:
    """The citizen's OA-scoped id: `sender.id` on user messages, `follower.id` on follow/unfollow [S] §3.2."""
    for key in ("sender", "follower", "user"):
        part = event.get(key)
        if isinstance(part, dict) and part.get("id"):
            return str(part["id"])[:64]
    return str(event.get("user_id", ""))[:64]


def event_attachments(message: dict) -> list[dict]:
    """`message.attachments[]` of `{type, payload: {url | coordinates…}}` [S] §3.2, defensively read."""
    attachments = message.get("attachments")
    if not isinstance(attachments, list):
        return []
    return [item for item in attachments[:10] if isinstance(item, dict)]


def attachment_url(attachment: dict) -> str:
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    for key in ("url", "thumbnail", "href"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value[:1000]
    return ""


def attachment_coordinates(attachment: dict) -> tuple[float, float] | None:
    """A location's coordinates: `payload.coordinates.{latitude, longitude}` [U] §3.2 (strings or numbers)."""
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    coordinates = payload.get("coordinates") if isinstance(payload.get("coordinates"), dict) else payload
    try:
        latitude = float(coordinates.get("latitude"))
        longitude = float(coordinates.get("longitude"))
    except (TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def receipt_tracking_id(event: dict) -> str:
    """`message.tracking_id` of a ZNS delivery receipt [U] §2.7."""
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    return str(message.get("tracking_id", ""))[:48]


def receipt_delivery_ms(event: dict) -> int | None:
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    for value in (message.get("delivery_time"), event.get("timestamp")):
        try:
            return int(value)
        except (TypeError, ValueError):
            continue
    return None


def submitted_info(event: dict) -> dict[str, str]:
    """`info: {name, phone, address…}` of a `user_submit_info` event [U] §4.3."""
    info = event.get("info")
    if not isinstance(info, dict):
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        info = message.get("info") if isinstance(message.get("info"), dict) else {}
    return {key: str(info.get(key, ""))[:300] for key in ("name", "phone", "address", "city", "district")}


def request_user_info_attachment(*, title: str, subtitle: str, image_url: str = "") -> dict:
    """The consultation message's attachment that asks the follower to share name and phone [C] §4.3."""
    element = {"title": title[:100], "subtitle": subtitle[:500]}
    if image_url:
        element["image_url"] = image_url
    return {"type": "template", "payload": {"template_type": "request_user_info", "elements": [element]}}
