"""/zalo/webhook/: signature check, idempotency on msg_id, the probe, refusal of forged events."""

import hashlib
import json
import logging
import time

import pytest

from apps.reports.models import Report, ReportSource, ReportStatus
from tests.units.factories import PoliceUnitFactory

pytestmark = pytest.mark.django_db
APP_ID = "3608000000000000001"
SECRET = "oa-secret-key-for-tests"


@pytest.fixture(autouse=True)
def zalo(settings):
    settings.ZALO_APP_ID = APP_ID
    settings.ZALO_OA_SECRET_KEY = SECRET
    return PoliceUnitFactory(name="Công an Quận 4")


def _event(msg_id="96d3a0b1", text="Có trộm vào nhà tôi ở hẻm 52 Tôn Thất Thuyết") -> bytes:
    event = {
        "app_id": APP_ID,
        "user_id_by_app": "5521000000000000001",
        "event_name": "user_send_text",
        "sender": {"id": "2468000000000000001"},
        "recipient": {"id": "3886000000000000001"},
        "message": {"msg_id": msg_id, "text": text},
        "timestamp": _now_ms(),
    }
    return json.dumps(event, ensure_ascii=False).encode()


def _now_ms() -> str:
    return str(int(time.time() * 1000))


def _sign(body: bytes, timestamp=None, secret=SECRET) -> str:
    timestamp = json.loads(body)["timestamp"] if timestamp is None else timestamp
    return "mac=" + hashlib.sha256(APP_ID.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


def _post(client, body: bytes, signature: str | None):
    headers = {"HTTP_X_ZEVENT_SIGNATURE": signature} if signature is not None else {}
    return client.post("/zalo/webhook/", body, content_type="application/json", **headers)


def test_a_signed_text_message_is_filed_in_the_district_queue(client, zalo):
    body = _event()
    response = _post(client, body, _sign(body))
    assert response.status_code == 200 and response.json()["status"] == "filed"
    report = Report.objects.get()
    assert (report.unit, report.source, report.status) == (zalo, ReportSource.ZALO, ReportStatus.RECEIVED)
    assert report.description.startswith("Có trộm") and report.zalo_user_id == "2468000000000000001"
    assert report.confirmed_at is not None


def test_the_same_event_twice_files_one_report(client):
    body = _event()
    first = _post(client, body, _sign(body)).json()
    second = _post(client, body, _sign(body)).json()
    assert second["status"] == "duplicate" and second["code"] == first["code"]
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "", "mac=", "mac=" + "0" * 64, "not-a-mac"],
)
def test_missing_or_wrong_signature_is_refused_and_logged(client, caplog, signature):
    body = _event()
    with caplog.at_level(logging.WARNING, logger="apps.reports.views"):
        response = _post(client, body, signature)
    assert response.status_code == 401
    assert not Report.objects.exists()
    assert "invalid signature" in caplog.text


def test_a_tampered_body_or_wrong_secret_is_refused(client):
    body = _event()
    assert _post(client, _event(text="Nội dung bị sửa"), _sign(body)).status_code == 401
    assert _post(client, body, _sign(body, secret="another-secret")).status_code == 401
    assert not Report.objects.exists()


def test_without_configured_credentials_everything_is_refused(client, settings):
    settings.ZALO_OA_SECRET_KEY = ""
    body = _event()
    assert _post(client, body, _sign(body, secret="")).status_code == 401
    assert not Report.objects.exists()


def test_probe_and_get_answer_200_without_side_effects(client):
    assert client.get("/zalo/webhook/").status_code == 200
    assert client.post("/zalo/webhook/", b"{}", content_type="application/json").status_code == 200
    assert not Report.objects.exists()


def test_other_events_are_acknowledged_and_ignored(client):
    body = json.dumps({"event_name": "oa_send_text", "sender": {"id": "1"}, "timestamp": _now_ms()}).encode()
    response = _post(client, body, _sign(body))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert not Report.objects.exists()


def test_broken_json_is_a_400(client):
    assert client.post("/zalo/webhook/", b"{not json", content_type="application/json").status_code == 400


def test_a_racing_duplicate_is_answered_as_a_duplicate(client, monkeypatch):
    """Two deliveries of one event at once: the second insert hits the unique constraint, not a server error."""
    from apps.reports.models import ChatEntry
    from apps.reports.models import Report as ReportModel

    body = _event(msg_id="race-1")
    first = _post(client, body, _sign(body)).json()
    real_chat_filter, real_filter = ChatEntry.objects.filter, ReportModel.objects.filter

    def blind(real):
        def blind_filter(*args, **kwargs):  # the racing request did not see the first message yet
            if "race-1" in (kwargs.get("msg_id"), kwargs.get("zalo_msg_id")) and not blind_filter.__dict__.get("used"):
                blind_filter.used = True
                return real().none()
            return real(*args, **kwargs)

        return blind_filter

    monkeypatch.setattr(ChatEntry.objects, "filter", blind(real_chat_filter))
    monkeypatch.setattr(ReportModel.objects, "filter", blind(real_filter))
    second = _post(client, body, _sign(body))
    assert second.status_code == 200 and second.json() == {"status": "duplicate", "code": first["code"]}
    assert ReportModel.objects.count() == 1


def test_a_replayed_event_older_than_five_minutes_is_refused(client, settings):
    """Issue 12.7: a captured, correctly signed event cannot be replayed later."""
    settings.ZALO_WEBHOOK_MAX_AGE_SECONDS = 300
    event = json.loads(_event(msg_id="old-1"))
    event["timestamp"] = str(int(time.time() * 1000) - 301_000)
    body = json.dumps(event, ensure_ascii=False).encode()
    response = _post(client, body, _sign(body))
    assert response.status_code == 401
    assert not Report.objects.exists()
    event["timestamp"] = str(int(time.time() * 1000) + 301_000)  # nor one dated in the future
    body = json.dumps(event, ensure_ascii=False).encode()
    assert _post(client, body, _sign(body)).status_code == 401


def test_a_large_body_is_refused_before_it_is_parsed(client, settings, monkeypatch):
    settings.ZALO_WEBHOOK_MAX_BYTES = 64 * 1024
    body = _event(text="x" * (65 * 1024))
    signature = _sign(body)
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(json, "loads", lambda *a, **k: parsed.append(1) or real_loads(*a, **k))
    response = _post(client, body, signature)
    assert response.status_code == 413
    assert parsed == [] and not Report.objects.exists()
