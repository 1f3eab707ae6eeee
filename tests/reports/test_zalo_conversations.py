"""Two-way conversations through the Zalo Official Account (issue: conversations and delivery receipts).

The webhook is posted to as Zalo would (signed raw body); replies go to a fake OA API on 127.0.0.1 speaking Zalo's
wire format (tests/notifications/fakes.py); images are fetched from a loopback media server.
"""

import hashlib
import io
import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from apps.backoffice.models import AuditLogEntry
from apps.backoffice.roles import REPORT_HANDLER
from apps.notifications.models import DeliveryAttempt, Notification, OutboxMessage, ZaloFollower
from apps.reports.conversations import report_reply, report_request_contact
from apps.reports.models import ChatEntry, Report, ReportPhoto
from tests.notifications.conftest import provider_environment
from tests.notifications.fakes import FakeEsms, FakeMediaServer, FakeZalo
from tests.units.factories import PoliceUnitFactory

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db
APP_ID = "3608000000000000001"
SECRET = "oa-secret-key-for-tests"
FOLLOWER = "2468000000000000001"
START = timezone.datetime(2027, 3, 8, 9, 0, tzinfo=timezone.get_fixed_timezone(7 * 60))


@pytest.fixture(autouse=True)
def district(settings):
    settings.ZALO_APP_ID = APP_ID
    settings.ZALO_OA_SECRET_KEY = SECRET
    settings.ZALO_APP_SECRET = ""
    settings.ESMS_API_KEY = ""
    settings.EMAIL_HOST = ""
    settings.ZALO_CONVERSATION_GAP_MINUTES = 240
    return PoliceUnitFactory(name="Công an Quận 4")


@pytest.fixture
def handler(district):
    return OfficerFactory(units=[district], groups=[REPORT_HANDLER])


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings):
    server = FakeMediaServer().start()
    settings.ZALO_MEDIA_HOSTS = ["127.0.0.1"]
    settings.ZALO_MEDIA_ALLOW_HTTP = True
    yield server
    server.stop()


@pytest.fixture
def zalo(settings, clock):
    """The OA API (token refresh + consultation messages) and eSMS on loopback, configured as in production."""
    fake_zalo, fake_esms = FakeZalo().start(), FakeEsms().start()
    for name, value in provider_environment(zalo=fake_zalo, esms=fake_esms).items():
        setattr(settings, name, value)
    settings.ZALO_APP_ID = fake_zalo.app_id
    from apps.notifications.services import _access_token_memo

    _access_token_memo.clear()
    yield {"zalo": fake_zalo, "esms": fake_esms}
    _access_token_memo.clear()
    fake_zalo.stop()
    fake_esms.stop()


def _signed_post(client, event: dict):
    from django.conf import settings

    timestamp = str(int(timezone.now().timestamp() * 1000))
    body = json.dumps({"app_id": settings.ZALO_APP_ID, **event, "timestamp": timestamp}, ensure_ascii=False).encode()
    mac = hashlib.sha256(settings.ZALO_APP_ID.encode() + body + timestamp.encode() + SECRET.encode()).hexdigest()
    settings.ZALO_OA_SECRET_KEY = SECRET
    return client.post("/zalo/webhook/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}")


def _text(msg_id: str, text: str, sender: str = FOLLOWER) -> dict:
    return {"event_name": "user_send_text", "sender": {"id": sender}, "message": {"msg_id": msg_id, "text": text}}


def _image(msg_id: str, url: str, sender: str = FOLLOWER) -> dict:
    attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
    return {
        "event_name": "user_send_image",
        "sender": {"id": sender},
        "message": {"msg_id": msg_id, "text": "", "attachments": [attachment]},
    }


def _png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _window_open(user_id=FOLLOWER):
    ZaloFollower.objects.update_or_create(user_id=user_id, defaults={"last_interaction_at": timezone.now()})


# --- Conversations ---------------------------------------------------------------------------------------------
def test_three_messages_and_a_photo_in_a_row_make_one_report_with_four_entries(
    client, clock, media, django_capture_on_commit_callbacks
):
    media.files["/chat/a.png"] = _png()
    texts = ["Có trộm vào nhà tôi ở hẻm 52", "Nó đi xe máy màu đen", "Tôi gửi ảnh bên dưới"]
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for number, text in enumerate(texts):
            answers.append(_signed_post(client, _text(f"m{number}", text)).json())
            clock.shift(timedelta(minutes=3))
        answers.append(_signed_post(client, _image("m3", media.url("/chat/a.png"))).json())
    assert [answer["status"] for answer in answers] == ["filed", "added", "added", "added"]
    assert len({answer["code"] for answer in answers}) == 1
    report = Report.objects.get()
    assert report.description == "Có trộm vào nhà tôi ở hẻm 52"
    entries = list(report.chat.values_list("kind", "text"))
    assert entries == [("text", texts[0]), ("text", texts[1]), ("text", texts[2]), ("image", "")]
    # The image was copied to the reports' private storage, re-encoded (a JPEG, no longer the PNG sent).
    photo = ReportPhoto.objects.get(report=report)
    assert ChatEntry.objects.get(msg_id="m3").photo == photo
    assert (photo.width, photo.height) == (40, 30)
    assert photo.image.read(3) == b"\xff\xd8\xff"
    assert media.hits == ["/chat/a.png"]


def test_a_message_after_the_gap_opens_a_new_report(client, clock, settings):
    settings.ZALO_CONVERSATION_GAP_MINUTES = 60
    first = _signed_post(client, _text("g1", "Tin thứ nhất")).json()
    clock.shift(timedelta(minutes=59))
    second = _signed_post(client, _text("g2", "Vẫn cùng câu chuyện")).json()
    clock.shift(timedelta(minutes=61))
    third = _signed_post(client, _text("g3", "Chuyện khác")).json()
    assert first["code"] == second["code"] != third["code"]
    assert (first["status"], second["status"], third["status"]) == ("filed", "added", "filed")


def test_another_follower_gets_their_own_report(client, clock):
    one = _signed_post(client, _text("a1", "Của người thứ nhất")).json()
    two = _signed_post(client, _text("b1", "Của người thứ hai", sender="9999000000000000009")).json()
    assert one["code"] != two["code"] and Report.objects.count() == 2


def test_a_closed_report_is_not_reopened_by_a_new_message(client, clock, handler):
    from apps.reports.services import report_close, report_take

    first = _signed_post(client, _text("c1", "Có đánh nhau")).json()
    report = report_take(report=Report.objects.get(code=first["code"]), actor=handler)
    report_close(report=report, actor=handler)
    clock.shift(timedelta(minutes=5))
    second = _signed_post(client, _text("c2", "Lại đánh nhau nữa")).json()
    assert second["status"] == "filed" and second["code"] != first["code"]


def test_location_sticker_link_and_file_are_kept(client, clock, handler):
    events = [
        _text("k0", "Vị trí đây"),
        {
            "event_name": "user_send_location",
            "sender": {"id": FOLLOWER},
            "message": {
                "msg_id": "k1",
                "attachments": [
                    {"type": "location", "payload": {"coordinates": {"latitude": "10.7595", "longitude": "106.7041"}}}
                ],
            },
        },
        {
            "event_name": "user_send_sticker",
            "sender": {"id": FOLLOWER},
            "message": {"msg_id": "k2", "attachments": [{"type": "sticker", "payload": {"url": "https://zdn.vn/s/1"}}]},
        },
        {
            "event_name": "user_send_link",
            "sender": {"id": FOLLOWER},
            "message": {
                "msg_id": "k3",
                "text": "xem clip",
                "attachments": [{"type": "link", "payload": {"url": "https://example.vn/clip"}}],
            },
        },
        {
            "event_name": "user_send_file",
            "sender": {"id": FOLLOWER},
            "message": {
                "msg_id": "k4",
                "attachments": [{"type": "file", "payload": {"url": "https://zdn.vn/f/bien-ban.pdf"}}],
            },
        },
    ]
    for event in events:
        assert _signed_post(client, event).status_code == 200
    report = Report.objects.get()
    rows = {entry.kind: entry for entry in report.chat.all()}
    assert set(rows) == {"text", "location", "sticker", "link", "file"}
    assert (str(rows["location"].latitude), str(rows["location"].longitude)) == ("10.759500", "106.704100")
    assert rows["sticker"].url == "https://zdn.vn/s/1"
    assert (rows["link"].text, rows["link"].url) == ("xem clip", "https://example.vn/clip")
    assert rows["file"].url == "https://zdn.vn/f/bien-ban.pdf"
    # The handler sees the coordinates on the report, with a map link.
    client.force_login(handler)
    page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "10.759500, 106.704100" in page and "mlat=10.759500" in page
    assert "https://example.vn/clip" in page


def test_follow_and_unfollow_are_recorded(client, clock):
    assert _signed_post(client, {"event_name": "follow", "follower": {"id": FOLLOWER}}).json()["status"] == "recorded"
    follower = ZaloFollower.objects.get(user_id=FOLLOWER)
    assert follower.is_follower and follower.followed_at == timezone.now()
    clock.shift(timedelta(days=2))
    _signed_post(client, {"event_name": "unfollow", "follower": {"id": FOLLOWER}})
    follower.refresh_from_db()
    assert not follower.is_follower and follower.unfollowed_at == timezone.now()
    assert not Report.objects.exists()


def test_a_repeated_event_is_not_stored_twice(client, clock, media, django_capture_on_commit_callbacks):
    media.files["/chat/b.png"] = _png()
    event = _image("dup-1", media.url("/chat/b.png"))
    with django_capture_on_commit_callbacks(execute=True):
        first = _signed_post(client, event).json()
        second = _signed_post(client, event).json()
    assert (first["status"], second["status"]) == ("filed", "duplicate") and first["code"] == second["code"]
    assert ChatEntry.objects.count() == 1 and ReportPhoto.objects.count() == 1 and media.hits == ["/chat/b.png"]


def test_an_image_on_a_host_zalo_does_not_serve_is_not_fetched(client, clock, media, settings):
    settings.ZALO_MEDIA_HOSTS = ["zdn.vn"]
    media.files["/chat/c.png"] = _png()
    _signed_post(client, _image("x1", media.url("/chat/c.png")))
    assert media.hits == [] and not ReportPhoto.objects.exists()
    assert ChatEntry.objects.get().url == media.url("/chat/c.png")  # the officer still has the link


def test_a_flood_from_one_follower_cannot_fill_the_queue(client, clock, settings, caplog):
    settings.ZALO_CONVERSATION_MAX_ENTRIES = 20
    settings.ZALO_NEW_CONVERSATIONS_PER_DAY = 2
    settings.ZALO_CONVERSATION_GAP_MINUTES = 1
    statuses = []
    with caplog.at_level(logging.INFO):
        for number in range(60):
            statuses.append(_signed_post(client, _text(f"f{number}", f"spam {number}")).json()["status"])
            clock.shift(timedelta(minutes=2))  # every message is past the gap: each would open a report
    assert Report.objects.count() == 2
    kept = ChatEntry.objects.count()
    assert kept == 1 + 20  # the first report kept 1 message, the second filled up to the cap of 20
    assert statuses.count("dropped") == 60 - kept
    latest = Report.objects.order_by("-created_at").first()
    assert latest.dropped_messages == 60 - kept
    assert "spam" not in caplog.text


# --- Replies from the back office ----------------------------------------------------------------------------
def _zalo_report(client, handler, text="Có trộm xe máy") -> Report:
    """A chat report the handler has taken (only the handler, or a supervisor, writes back)."""
    from apps.reports.services import report_take

    code = _signed_post(client, _text("r1", text)).json()["code"]
    return report_take(report=Report.objects.get(code=code), actor=handler)


def test_a_reply_inside_the_window_goes_as_one_consultation_message(
    client, zalo, handler, django_capture_on_commit_callbacks
):
    report = _zalo_report(client, handler)
    with django_capture_on_commit_callbacks(execute=True):
        entry = report_reply(report=report, actor=handler, text="Chúng tôi đã cử tổ tuần tra đến hẻm 52.")
    [sent] = zalo["zalo"].cs_requests
    assert sent["recipient"] == {"user_id": FOLLOWER}
    text = sent["message"]["text"]
    assert text.startswith(f"Công an trả lời phản ánh của bạn, mã tra cứu {report.code[:4]}")
    assert "Chúng tôi đã cử tổ tuần tra đến hẻm 52." in text
    assert "attachment" not in sent["message"]
    notification = Notification.objects.get(pk=entry.notification_id)
    assert (notification.status, notification.channel) == ("sent", "zalo_oa")
    assert not zalo["esms"].requests
    assert AuditLogEntry.objects.filter(user=handler, detail__startswith="Zalo reply").count() == 1


def test_outside_the_window_the_reply_falls_back_to_the_phone(
    client, zalo, handler, clock, django_capture_on_commit_callbacks
):
    report = _zalo_report(client, handler)
    Report.objects.filter(pk=report.pk).update(contact_phone="+84912345678")
    clock.shift(timedelta(days=7, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        entry = report_reply(report=report, actor=handler, text="Mời anh đến công an phường làm việc.")
    notification = Notification.objects.get(pk=entry.notification_id)
    assert (notification.status, notification.channel) == ("sent", "sms")
    assert not zalo["zalo"].cs_requests  # Zalo was not even asked
    assert list(DeliveryAttempt.objects.filter(notification=notification).values_list("channel", "reason")) == [
        ("zalo_oa", "outside_window"),
        ("sms", ""),
    ]
    [sms] = zalo["esms"].deliveries
    # SMS goes without diacritics (SMS_UNICODE off): the reply's words, in the text the phone shows.
    assert sms["Phone"] == "84912345678" and "Moi anh den cong an phuong lam viec." in sms["Content"]


def test_outside_the_window_without_a_phone_the_reply_is_refused_clearly(client, zalo, handler, clock):
    report = _zalo_report(client, handler)
    clock.shift(timedelta(days=8))
    client.force_login(handler)
    page = client.get(f"/admin/reports/report/{report.pk}/zalo/reply/").content.decode()
    assert "không thể gửi" in page.lower() or "cannot be sent" in page.lower()
    response = client.post(f"/admin/reports/report/{report.pk}/zalo/reply/", {"text": "Xin chào"})
    assert response.status_code == 200
    assert not Notification.objects.filter(kind="report_reply").exists()
    assert not zalo["zalo"].cs_requests and not zalo["esms"].requests


def test_a_follower_who_left_is_recorded_as_not_a_follower(client, zalo, handler, django_capture_on_commit_callbacks):
    report = _zalo_report(client, handler)
    zalo["zalo"].not_followers.add(FOLLOWER)
    with django_capture_on_commit_callbacks(execute=True):
        entry = report_reply(report=report, actor=handler, text="Cảm ơn bạn.")
    notification = Notification.objects.get(pk=entry.notification_id)
    assert notification.status == "permanent_failure"
    assert DeliveryAttempt.objects.get(notification=notification).reason == "not_follower"


def test_the_reply_page_sends_and_shows_the_delivery(client, zalo, handler, django_capture_on_commit_callbacks):
    report = _zalo_report(client, handler)
    client.force_login(handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/reports/report/{report.pk}/zalo/reply/", {"text": "Đã tiếp nhận, cảm ơn."})
    assert response.status_code == 302
    assert len(zalo["zalo"].cs_requests) == 1
    page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "Đã tiếp nhận, cảm ơn." in page and "Đã gửi" in page


def test_without_zalo_configured_the_reply_is_kept_in_the_outbox(client, handler, django_capture_on_commit_callbacks):
    report = _zalo_report(client, handler)
    with django_capture_on_commit_callbacks(execute=True):
        report_reply(report=report, actor=handler, text="Trả lời thử")
    stored = OutboxMessage.objects.get()
    assert "Trả lời thử" in stored.body and stored.recipient.startswith("Zalo …")


# --- Asking for contact details ------------------------------------------------------------------------------
def test_asking_for_contact_details_and_storing_what_the_citizen_shares(
    client, zalo, handler, django_capture_on_commit_callbacks
):
    report = _zalo_report(client, handler)
    with django_capture_on_commit_callbacks(execute=True):
        report_request_contact(report=report, actor=handler)
    [sent] = zalo["zalo"].cs_requests
    attachment = sent["message"]["attachment"]
    assert attachment["type"] == "template"
    assert attachment["payload"]["template_type"] == "request_user_info"
    assert attachment["payload"]["elements"][0]["title"] == "Chia sẻ thông tin liên hệ"
    shared = {
        "event_name": "user_submit_info",
        "sender": {"id": FOLLOWER},
        "info": {"name": "Trần Thị Bình", "phone": "0987654321", "address": "52 Tôn Thất Thuyết"},
    }
    assert _signed_post(client, shared).json()["status"] == "recorded"
    report.refresh_from_db()
    assert (report.contact_name, str(report.contact_phone)) == ("Trần Thị Bình", "+84987654321")
    assert ZaloFollower.objects.get(user_id=FOLLOWER).shared_phone == "+84987654321"
    assert report.chat.filter(kind="contact_shared").count() == 1


# --- Delivery receipts -----------------------------------------------------------------------------------------
def test_a_delivery_receipt_marks_the_message_delivered(client, clock, django_capture_on_commit_callbacks):
    from apps.notifications.services import notification_send

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(kind="report_received", language="vi", context={}, phone="0912345678")
    delivered_ms = int((timezone.now() + timedelta(seconds=5)).timestamp() * 1000)
    receipt = {
        "event_name": "user_received_message",
        "sender": {"id": "oa"},
        "recipient": {"id": "84912345678"},
        "message": {"msg_id": "z1", "tracking_id": notification.idempotency_key, "delivery_time": str(delivered_ms)},
    }
    assert _signed_post(client, receipt).json()["status"] == "delivered"
    notification.refresh_from_db()
    assert notification.delivered_at == timezone.now() + timedelta(seconds=5)
    # A repeat changes nothing; an unknown tracking id is acknowledged and ignored.
    assert _signed_post(client, receipt).json()["status"] == "unknown"
    unknown = {**receipt, "message": {**receipt["message"], "tracking_id": "no-such-id"}}
    response = _signed_post(client, unknown)
    assert response.status_code == 200 and response.json()["status"] == "unknown"
    assert Notification.objects.filter(delivered_at__isnull=False).count() == 1


def test_officers_see_sent_delivered_and_failed_in_the_delivery_log(clock, admin_client):
    from apps.notifications.models import Status

    base = {"kind": "report_received", "language": "vi", "context": {}, "phone": "+84912345678"}
    rows = [
        ("k1", "VSENT1", Status.SENT, None),
        ("k2", "VDELIV", Status.SENT, timezone.now()),
        ("k3", "VFAIL3", Status.PERMANENT_FAILURE, None),
    ]
    for key, code, status, delivered_at in rows:
        Notification.objects.create(
            **base, status=status, delivered_at=delivered_at, idempotency_key=key, verification_code=code
        )
    response = admin_client.get("/admin/notifications/notification/")
    assert response.status_code == 200
    cells = {
        notification.verification_code: response.context["cl"].model_admin.delivery(notification)
        for notification in response.context["cl"].result_list
    }
    assert {code: str(label) for code, label in cells.items()} == {
        "VSENT1": "Đã gửi",
        "VDELIV": "Đã đến điện thoại",
        "VFAIL3": "Không gửi được",
    }
    delivered = admin_client.get("/admin/notifications/notification/?delivered=yes")
    assert [n.verification_code for n in delivered.context["cl"].result_list] == ["VDELIV"]
    waiting = admin_client.get("/admin/notifications/notification/?delivered=no")
    assert [n.verification_code for n in waiting.context["cl"].result_list] == ["VSENT1"]


def test_no_chat_content_or_phone_is_logged(client, zalo, handler, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.DEBUG):
        report = _zalo_report(client, handler, text="Bí mật: nhà số 17 có ma túy")
        with django_capture_on_commit_callbacks(execute=True):
            report_reply(report=report, actor=handler, text="Cảm ơn, chúng tôi xác minh ngay.")
        _signed_post(
            client,
            {"event_name": "user_submit_info", "sender": {"id": FOLLOWER}, "info": {"phone": "0987654321"}},
        )
    assert "ma túy" not in caplog.text and "xác minh ngay" not in caplog.text
    assert "0987654321" not in caplog.text and "84987654321" not in caplog.text


# --- The OA menu -----------------------------------------------------------------------------------------------
ANDROID_ZALO = (
    "Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 Zalo android/12100625 ZaloTheme/light ZaloLanguage/vi"
)
IOS_ZALO = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "Zalo iOS/470 ZaloTheme/light ZaloLanguage/vn"
)
MENU_PATHS = [
    "/thu-tuc/cap-cccd/",
    "/thu-tuc/",
    "/tra-cuu/",
    "/phan-anh/",
    "/kiem-tra-tin-nhan/",
    "/tin-tuc/",
    "/lien-he/",
]


def test_the_menu_command_prints_every_link_with_the_sites_address(settings):
    from django.core.management import call_command

    settings.SITE_URL = "https://cccd.congan-q4.example.vn"
    out = io.StringIO()
    call_command("zalo_menu", stdout=out)
    printed = [line.split(": ", 1)[1] for line in out.getvalue().splitlines() if ": https://" in line]
    assert printed == [f"https://cccd.congan-q4.example.vn{path}" for path in MENU_PATHS]


@pytest.mark.parametrize("user_agent", [ANDROID_ZALO, IOS_ZALO], ids=["android", "ios"])
@pytest.mark.parametrize("path", MENU_PATHS)
def test_every_menu_link_opens_in_zalos_in_app_browser(client, demo_data, user_agent, path):
    response = client.get(path, HTTP_USER_AGENT=user_agent, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [] or response.redirect_chain[-1][0].startswith("/")
    assert b"<h1" in response.content and b'lang="vi"' in response.content
