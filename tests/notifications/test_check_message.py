"""/kiem-tra-tin-nhan/: "is this message really from us?" reveals whether, when and what kind, nothing else."""

import re

import pytest

from apps.core.codes import code_format, code_generate
from apps.notifications.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send_confirmation()
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


def test_a_code_we_sent_is_confirmed_with_kind_and_time_only(client, sent):
    response = client.post("/kiem-tra-tin-nhan/", {"code": code_format(sent.verification_code).lower()})
    html = response.content.decode()
    assert "Đúng, cổng dịch vụ đã gửi một tin nhắn có mã này." in html
    assert "Xác nhận hồ sơ" in html
    for secret in ("K7MX-3PQ9-R", "Nguyễn Văn An", "912345678", "Xóm Chiếu"):
        assert secret not in html


def test_the_phone_must_match_when_given(client, sent):
    code = sent.verification_code
    ok = client.post("/kiem-tra-tin-nhan/", {"code": code, "phone": "0912 345 678"}).content.decode()
    assert "Đúng, cổng dịch vụ" in ok
    wrong = client.post("/kiem-tra-tin-nhan/", {"code": code, "phone": "0987654321"}).content.decode()
    assert "Chúng tôi không gửi tin nhắn nào có mã này." in wrong


def test_an_unknown_code_is_a_warning(client, sent):
    html = client.post("/en/kiem-tra-tin-nhan/", {"code": code_generate(length=6)}).content.decode()
    assert "We did not send a message with this code." in html and "It may be a scam." in html


def test_a_malformed_code_or_phone_is_explained_and_kept(client):
    html = client.post("/kiem-tra-tin-nhan/", {"code": "OOO-111", "phone": "12"}).content.decode()
    assert "không có chữ O và chữ I" in html
    assert "Vui lòng nhập số điện thoại di động Việt Nam" in html
    assert 'value="OOO-111"' in html


def test_a_message_not_yet_delivered_is_not_confirmed(client, send_confirmation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = send_confirmation()
    html = client.post("/kiem-tra-tin-nhan/", {"code": queued.verification_code}).content.decode()
    assert "Chúng tôi không gửi tin nhắn nào có mã này." in html


def test_lookups_are_rate_limited_per_client(client, settings, sent):
    settings.NOTIFICATIONS_CHECK_PER_CLIENT = (3, 600)
    for _ in range(3):
        assert "Đúng" in client.post("/kiem-tra-tin-nhan/", {"code": sent.verification_code}).content.decode()
    html = client.post("/kiem-tra-tin-nhan/", {"code": sent.verification_code}).content.decode()
    assert "Bạn đã kiểm tra nhiều mã trong thời gian ngắn" in html
    assert "Đúng, cổng dịch vụ" not in html
    other = client.post("/kiem-tra-tin-nhan/", {"code": sent.verification_code}, REMOTE_ADDR="198.51.100.4")
    assert "Đúng, cổng dịch vụ" in other.content.decode()
