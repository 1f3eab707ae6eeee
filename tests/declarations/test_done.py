"""Submitting stores the declaration with its code; the done page shows code, QR, fee, what to bring, slip, .ics."""

import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from PIL import Image

from apps.core.codes import code_format, code_is_valid
from apps.declarations import selectors, services
from apps.filings import outputs
from apps.filings.models import Filing
from apps.filings.services import filing_qr_verify
from apps.filings.tokens import qr_token, receipt_token

from .factories import submitted_declaration

pytestmark = pytest.mark.django_db


def test_declaration_create_stores_the_answers_and_a_readable_code(demo_data):
    declaration = submitted_declaration()
    assert code_is_valid(declaration.code) and len(declaration.code) == 9
    assert not set(declaration.code) & set("01OIZ")
    assert declaration.holder_name == "NGUYỄN VĂN AN"
    assert str(declaration.phone) == "+84912345678"
    assert declaration.answers["birth_date"] == "1990-09-05"
    assert declaration.answers["permanent_ward"] == "27265"
    assert declaration.procedure.slug == "cap-cccd" and declaration.state == "submitted"
    assert declaration.draft.filing_id == declaration.pk


def test_a_submitted_draft_cannot_be_submitted_twice(demo_data):
    declaration = submitted_declaration()
    draft = declaration.draft
    answers, _ = selectors.draft_answers(draft=draft)
    with pytest.raises(ValidationError) as excinfo:
        services.declaration_submit(draft=draft, answers=answers, language="vi")
    assert excinfo.value.code == "already_submitted"
    assert selectors.draft_get(key=draft.key) is None
    assert Filing.objects.count() == 1


def test_a_code_collision_draws_another_code(demo_data):
    first = submitted_declaration()
    from apps.core.codes import check_character

    fresh = "ABCDEFGH" + check_character("ABCDEFGH")
    codes = iter([first.code, fresh])
    with mock.patch("apps.filings.services.code_generate", side_effect=lambda length: next(codes)):
        second = submitted_declaration()
    assert second.code == fresh
    assert Filing.objects.count() == 2


def test_other_integrity_errors_are_not_swallowed(demo_data):
    with mock.patch.object(Filing, "save", side_effect=IntegrityError("boom")), pytest.raises(IntegrityError):
        submitted_declaration()


@time_machine.travel(datetime(2026, 12, 3, 3, 0, tzinfo=UTC), tick=False)  # 10:00 in Vietnam, half price
def test_done_page_shows_code_qr_fee_and_what_to_bring(client, demo_data, django_assert_max_num_queries):
    declaration = submitted_declaration(**{"": {"reason": "lost"}})
    url = f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(declaration.code)}/"
    client.get(url)
    with django_assert_max_num_queries(1):
        response = client.get(url)
    html = response.content.decode()
    assert code_format(declaration.code) in html
    assert 'data-copy="' + declaration.code in html  # progressive copy button
    assert "35.000 đ" in html  # re-issue at half price until 31/12/2026
    assert "phieu.png" in html and "/phieu/" in html
    assert html.count("<h1") == 1


def test_done_page_refuses_an_altered_token(client, demo_data):
    declaration = submitted_declaration()
    token = receipt_token(declaration.code)
    assert client.get(f"/thu-tuc/cap-cccd/hoan-tat/{token}x/").status_code == 404
    assert client.get(f"/thu-tuc/cap-cccd/hoan-tat/{declaration.code}/").status_code == 404


def test_qr_code_carries_the_signed_token(client, demo_data):
    declaration = submitted_declaration()
    token = receipt_token(declaration.code)
    response = client.get(f"/thu-tuc/cap-cccd/hoan-tat/{token}/qr.png")
    assert response["Content-Type"] == "image/png"
    assert response.content == outputs.qr_png(qr_token(declaration.code), box=5)
    assert len(response.content) < 2048
    Image.open(io.BytesIO(response.content)).verify()


def test_qr_verify_accepts_the_real_token_and_refuses_forged_or_altered_ones(demo_data):
    declaration = submitted_declaration()
    token = qr_token(declaration.code)
    assert filing_qr_verify(token) == declaration
    other = submitted_declaration()
    forged = other.code + "." + token.split(".", 1)[1]
    for bad in (
        forged,
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        declaration.code,
        "",
        receipt_token(declaration.code),
    ):
        with pytest.raises(ValidationError) as excinfo:
            filing_qr_verify(bad)
        assert excinfo.value.code == "qr_invalid"


def test_slip_page_and_slip_image(client, demo_data):
    declaration = submitted_declaration()
    token = receipt_token(declaration.code)
    html = client.get(f"/thu-tuc/cap-cccd/hoan-tat/{token}/phieu/").content.decode()
    assert code_format(declaration.code) in html
    response = client.get(f"/thu-tuc/cap-cccd/hoan-tat/{token}/phieu.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.width == 720 and image.height > 400
    assert "attachment" not in response.get("Content-Disposition", "")


def test_ics_file_is_a_valid_calendar_event():
    starts = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
    data = outputs.ics_build(
        uid="K7MX3PQ9R@cccd-portal",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        summary="Hẹn làm căn cước – mã K7MX-3PQ9-R",
        location="Công an phường Khánh Hội, 12 Đoàn Văn Bơ",
        description="Mang theo mã này; tra cứu: https://example.vn/tra-cuu/" * 3,
        url="https://example.vn/tra-cuu/",
    ).decode()
    lines = data.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    # 01:30 UTC is 08:30 in Vietnam, written with its zone.
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261203T083000" in lines
    assert "DTEND;TZID=Asia/Ho_Chi_Minh:20261203T090000" in lines
    assert "TZOFFSETTO:+0700" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "LOCATION:Công an phường Khánh Hội\\, 12 Đoàn Văn Bơ" in data


def test_ics_is_not_offered_without_an_appointment(client, demo_data):
    declaration = submitted_declaration()
    token = receipt_token(declaration.code)
    assert client.get(f"/thu-tuc/cap-cccd/hoan-tat/{token}/lich-hen.ics").status_code == 404


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_poster_qr_of_the_form_address(client, fmt):
    response = client.get(f"/thu-tuc/cap-cccd/qr.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == ("image/png" if fmt == "png" else "image/svg+xml")
    if fmt == "png":
        from django.conf import settings

        assert response.content == outputs.qr_png(settings.SITE_URL + "/thu-tuc/cap-cccd/", box=10)
    else:
        assert response.content.startswith(b"<?xml") or b"<svg" in response.content[:200]
