"""One name per code in every message (issue 11.6): a filing's code is "mã hồ sơ" / "filing code", a report's
"mã tra cứu" / "tracking code", the one-time code "mã xác nhận" / "confirmation code". Each message carries exactly
one code (no footer with a second "check code": whether a message is ours is checked with that code and the phone,
tests/notifications/test_check_message.py), and no code goes without its name."""

import re

import pytest

from apps.notifications.models import Kind, MessageTemplate, OutboxMessage
from apps.notifications.services import notification_send

pytestmark = pytest.mark.django_db

FILING = "K7MX-3PQ9-R"
REPORT = "PA-26-0042"
OTP = "482913"
CONTEXT = {
    "name": "Nguyễn Văn An",
    "procedure": "Cấp hộ chiếu phổ thông",
    "unit": "Công an Phường Xóm Chiếu",
    "address": "4 Xóm Chiếu",
    "date": "02/12/2026",
    "time": "08:30",
    "url": "https://cccd.example.vn/tra-cuu/",
    "status": "Đã tiếp nhận",
    "note": "",
    "reason": "",
    "text": "Đã xử lý.",
    "minutes": "5",
}
FILING_KINDS = [
    "filing_confirmed",
    "procedure_booked",
    "appointment_reminder",
    "appointment_moved",
    "appointment_cancelled",
    "filing_status_changed",
]
REPORT_KINDS = ["report_received", "report_answered", "report_reply", "contact_request"]
# (kind group, language) -> the name the code must carry, and the code.
EXPECTED = {
    ("filing", "vi"): ("mã hồ sơ", FILING),
    ("filing", "en"): ("filing code", FILING),
    ("report", "vi"): ("mã tra cứu", REPORT),
    ("report", "en"): ("tracking code", REPORT),
    ("otp", "vi"): ("Mã xác nhận của bạn là", OTP),
    ("otp", "en"): ("Your confirmation code is", OTP),
}
# A code-like token: 6+ characters of the codes' alphabet with a digit, or 6 digits (the one-time code).
CODE_LIKE = re.compile(r"\b(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,}\b")


def test_every_kind_is_covered():
    assert {k.value for k in Kind} == {*FILING_KINDS, *REPORT_KINDS, "otp"}


def _sent(kind: str, language: str, capture) -> str:
    if kind == "otp":
        extra = {"secret_context": {"code": OTP}}
        context = CONTEXT
    else:
        extra = {}
        context = {**CONTEXT, "reference": REPORT if kind in REPORT_KINDS else FILING}
    with capture(execute=True):
        notification = notification_send(kind=kind, language=language, context=context, phone="0912345678", **extra)
    return OutboxMessage.objects.get(notification=notification).body


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("kind", ["otp", *FILING_KINDS, *REPORT_KINDS])
def test_each_message_names_its_one_code(kind, language, settings, django_capture_on_commit_callbacks):
    settings.ZALO_APP_ID = settings.ESMS_API_KEY = settings.EMAIL_HOST = ""
    body = _sent(kind, language, django_capture_on_commit_callbacks)
    group = "filing" if kind in FILING_KINDS else "report" if kind in REPORT_KINDS else "otp"
    name, code = EXPECTED[(group, language)]
    assert body.count(code) == 1, body
    assert f"{name} {code}" in body, body
    # The other codes never appear, and no other name for the citizen's code is used.
    others = {FILING, REPORT, OTP} - {code}
    assert not any(other in body for other in others), body
    for wrong in ("file code", "mã {", "{code}", "{reference}"):
        assert wrong not in body, body
    # One code in the whole message: no footer with a second (check) code, and nothing else that looks like one.
    assert "\n" not in body and "kiểm tra" not in body and "check code" not in body, body
    assert CODE_LIKE.findall(body.replace(CONTEXT["date"], "")) == [code], body
    if language == "vi":
        assert re.findall(r"\bmã (?!hồ sơ|tra cứu|xác nhận|này)", body, flags=re.IGNORECASE) == [], body


def test_the_stored_templates_are_the_shipped_ones():
    """The data migrations leave one template per kind and language, with the new names (no `declaration_*`)."""
    kinds = set(MessageTemplate.objects.values_list("kind", flat=True))
    assert kinds == {k.value for k in Kind}
    assert not MessageTemplate.objects.filter(body__contains="{code}").exclude(kind="otp").exists()
