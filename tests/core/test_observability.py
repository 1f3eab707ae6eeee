"""JSON logs with request ids and no personal data; Sentry events scrubbed; the protected /metrics endpoint."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.logging import RequestIdFilter, mask_personal
from apps.core.sentry import before_send

TOKEN = "metrics-token-for-tests-0123456789"


def _json_handler(stream):
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    return handler


@pytest.fixture
def json_log(monkeypatch):
    import io

    stream = io.StringIO()
    handler = _json_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_id_and_pattern_not_path(client, json_log):
    response = client.get("/tin-tuc/mot-bai-khong-co/?phone=0912345678", HTTP_X_REQUEST_ID="nginx-req-0001abcd")
    assert response["X-Request-ID"] == "nginx-req-0001abcd"
    lines = [line for line in json_log() if line["name"] == "portal.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "nginx-req-0001abcd"
    assert line["route"] == "tin-tuc/<slug:slug>/"
    assert line["status"] == 404
    assert line["http_method"] == "GET"
    assert "mot-bai-khong-co" not in json.dumps(line) and "0912345678" not in json.dumps(line)


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_personal_numbers_are_masked_in_log_messages(json_log):
    logging.getLogger("apps.test").warning("sms to %s for card %s failed", "+84912345678", "079201001234")
    logging.getLogger("apps.test").warning("retry 3 of notification 12345 (0987654321)")
    messages = [line["message"] for line in json_log() if line["name"] == "apps.test"]
    assert messages == ["sms to [masked] for card [masked] failed", "retry 3 of notification 12345 ([masked])"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0912345678", "[masked]"), ("84912345678", "[masked]"), ("id 001201012345.", "id [masked]."),
     ("old card 123456789", "old card [masked]"), ("took 1234 ms", "took 1234 ms"), ("2026-12-03", "2026-12-03")],
)  # fmt: skip
def test_mask_personal(text, expected):
    assert mask_personal(text) == expected


def test_sentry_events_carry_nothing_personal():
    event = {
        "request": {
            "url": "https://dichvu.example.vn/tra-cuu/?phone=0912345678",
            "query_string": "phone=0912345678",
            "data": {"phone": "0912345678", "name": "Nguyễn Văn An"},
            "cookies": {"sessionid": "abc"},
            "headers": {"User-Agent": "Zalo", "X-Forwarded-For": "203.0.113.9", "Cookie": "sessionid=abc"},
        },
        "user": {"ip_address": "203.0.113.9"},
        "logentry": {"message": "failed for %s", "params": ["0912345678"], "formatted": "failed for 0912345678"},
        "exception": {
            "values": [{"value": "bad phone 0912345678", "stacktrace": {"frames": [{"vars": {"phone": "0912345678"}}]}}]
        },
        "breadcrumbs": {"values": [{"message": "SELECT … 0912345678"}]},
    }
    sent = json.dumps(before_send(event, {}))
    assert "0912345678" not in sent and "203.0.113.9" not in sent and "sessionid" not in sent
    assert "Nguyễn" not in sent.encode().decode("unicode_escape", errors="ignore") and "Zalo" in sent


@pytest.mark.django_db
def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
def test_metrics_report_bookings_holds_messages_refusals_and_latency(client, settings):
    from apps.appointments.models import Appointment
    from apps.core.ratelimit import rate_limit_hit
    from tests.notifications.factories import NotificationFactory, booked_appointment

    settings.METRICS_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["dichvu.example.vn"]
    soon = timezone.now() + timedelta(days=2)
    booked = booked_appointment(starts_at=soon)
    booked_appointment(starts_at=soon, status="cancelled", reference="Q4KM7XPA4", unit=booked.unit)
    held = booked_appointment(starts_at=soon, reference="Q4KM7XPA5", unit=booked.unit)
    expired = booked_appointment(starts_at=soon, reference="Q4KM7XPA6", unit=booked.unit)
    Appointment.objects.filter(pk=held.pk).update(status="held", hold_expires_at=timezone.now() + timedelta(minutes=9))
    Appointment.objects.filter(pk=expired.pk).update(
        status="held", hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    NotificationFactory(status="sent", channel="zns")
    NotificationFactory(status="queued")
    for _ in range(3):
        rate_limit_hit(key="metrics-test:client", limit=2, window=60)
    client.get("/lien-he/", HTTP_HOST="dichvu.example.vn", secure=True)

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="10.0.0.5:8000").content.decode()
    assert 'portal_appointments{state="booked"} 1.0' in text
    assert 'portal_appointments{state="cancelled"} 1.0' in text
    assert 'portal_appointments{state="held"} 1.0' in text
    assert 'portal_messages{channel="zns",state="sent"} 1.0' in text
    assert 'portal_messages{channel="none",state="queued"} 1.0' in text
    assert "portal_messages_unsent 1.0" in text
    assert 'portal_refusals_total{limit="metrics-test"}' in text
    assert 'portal_request_duration_seconds_count{method="GET",route="lien-he/",status="2xx"}' in text
