"""/kiem-tra-tin-nhan/: "is this message really from us?" from the one code a message carries (the filing or
tracking code, issue 11.6) and the phone that received it; reveals whether, when and what kind, nothing else."""

import re

import pytest

from apps.core.codes import code_format, code_generate
from apps.notifications.models import Status

pytestmark = pytest.mark.django_db


# A filing code as the portal makes them (valid check character), as the message names it.
REFERENCE = code_format(code_generate(length=8))
CONTEXT = {
    "name": "Nguyễn Văn An",
    "reference": REFERENCE,
    "unit": "Công an Phường Xóm Chiếu",
    "address": "4 Xóm Chiếu",
    "date": "02/12/2026",
    "time": "08:30",
    "url": "https://cccd.example.vn/tra-cuu/",
}


@pytest.fixture
def sent(send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send_confirmation(context=CONTEXT)
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    return notification


def test_page_renders_in_both_languages_with_the_warning(client):
    for path, warning in (
        ("/kiem-tra-tin-nhan/", "Công an không bao giờ yêu cầu qua tin nhắn"),
        ("/en/kiem-tra-tin-nhan/", "The police never ask you by message"),
    ):
        html = client.get(path).content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1
        assert warning in html


YES = "Đúng, cổng dịch vụ đã gửi một tin nhắn có mã này đến số điện thoại này."
NO = "Chúng tôi không gửi tin nhắn nào có mã này đến số điện thoại này."


def test_the_one_code_of_the_message_and_the_phone_confirm_it_with_kind_and_time_only(client, sent):
    """Issue 11.6: a message carries one code, the filing code; with the phone that received it, it is checked."""
    for typed in (REFERENCE, REFERENCE.replace("-", "").lower()):
        response = client.post("/kiem-tra-tin-nhan/", {"code": typed, "phone": "0912 345 678"})
        html = response.content.decode()
        assert YES in html and "Xác nhận hồ sơ" in html
        for secret in ("Nguyễn Văn An", "912345678", "Xóm Chiếu"):
            assert secret not in html


def test_the_phone_must_match_and_is_required(client, sent):
    wrong = client.post("/kiem-tra-tin-nhan/", {"code": REFERENCE, "phone": "0987654321"}).content.decode()
    assert NO in wrong and YES not in wrong
    # A code alone says nothing (as at the lookup): the phone is asked for.
    alone = client.post("/kiem-tra-tin-nhan/", {"code": REFERENCE}).content.decode()
    assert YES not in alone and NO not in alone and 'id="id_phone"' in alone and "is-invalid" in alone


def test_the_check_code_of_a_message_sent_before_still_confirms_it(client, sent):
    """Messages sent before issue 11.6 ended with a check code: with the phone, it is still recognised."""
    html = client.post(
        "/kiem-tra-tin-nhan/", {"code": code_format(sent.verification_code).lower(), "phone": "0912 345 678"}
    ).content.decode()
    assert YES in html


def test_a_confirmation_code_is_never_confirmed(client, django_capture_on_commit_callbacks):
    from apps.notifications.models import OutboxMessage
    from apps.notifications.services import otp_issue

    with django_capture_on_commit_callbacks(execute=True):
        otp_issue(phone="0912345678", purpose="filing_submit", language="vi", client="203.0.113.9")
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    html = client.post("/kiem-tra-tin-nhan/", {"code": code, "phone": "0912 345 678"}).content.decode()
    assert YES not in html


def test_an_unknown_code_is_a_warning(client, sent):
    html = client.post(
        "/en/kiem-tra-tin-nhan/", {"code": code_generate(length=8), "phone": "0912 345 678"}
    ).content.decode()
    assert "We did not send a message with this code to this phone number." in html and "It may be a scam." in html


def test_a_malformed_code_or_phone_is_explained_and_kept(client):
    html = client.post("/kiem-tra-tin-nhan/", {"code": "OOO-111", "phone": "12"}).content.decode()
    assert "không có chữ O và chữ I" in html
    assert "Vui lòng nhập số điện thoại di động Việt Nam" in html
    assert 'value="OOO-111"' in html


def test_a_message_not_yet_delivered_is_not_confirmed(client, send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        send_confirmation(context=CONTEXT)
    html = client.post("/kiem-tra-tin-nhan/", {"code": REFERENCE, "phone": "0912 345 678"}).content.decode()
    assert NO in html


def test_lookups_are_rate_limited_per_client(client, settings, sent):
    settings.NOTIFICATIONS_CHECK_PER_CLIENT = (3, 600)
    data = {"code": REFERENCE, "phone": "0912 345 678"}
    for _ in range(3):
        assert YES in client.post("/kiem-tra-tin-nhan/", data).content.decode()
    html = client.post("/kiem-tra-tin-nhan/", data).content.decode()
    assert "Bạn đã kiểm tra nhiều mã trong thời gian ngắn" in html
    assert YES not in html
    other = client.post("/kiem-tra-tin-nhan/", data, REMOTE_ADDR="198.51.100.4")
    assert YES in other.content.decode()


def test_wrong_phones_for_one_code_lock_its_check_whatever_the_address(client, settings, sent):
    """A code seen on someone's slip cannot be used to find their phone number: wrong numbers count per code."""
    settings.LOOKUP_CODE_MAX_FAILURES = 3
    for n in range(3):
        wrong = {"code": REFERENCE, "phone": f"098765432{n}"}
        assert NO in client.post("/kiem-tra-tin-nhan/", wrong, REMOTE_ADDR=f"198.51.100.{n + 1}").content.decode()
    html = client.post("/kiem-tra-tin-nhan/", {"code": REFERENCE, "phone": "0912 345 678"}).content.decode()
    assert "kiểm tra mã này bị khóa trong 30 phút" in html and YES not in html
    # Another code is not affected.
    other = client.post("/kiem-tra-tin-nhan/", {"code": code_format(code_generate(length=8)), "phone": "0912 345 678"})
    assert NO in other.content.decode()
