"""/tra-cuu/ finds every procedure's filing (a passport booking here), shows its timeline in plain Vietnamese, and
lets the citizen move or cancel the visit; the code alone reveals nothing."""

import re
from datetime import timedelta

import pytest

from apps.filings.models import Filing
from tests.procedures.journey import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def passport(client, demo_data, django_capture_on_commit_callbacks):
    book(client, django_capture_on_commit_callbacks, "ho-chieu")
    client.cookies.clear()
    return Filing.objects.get(procedure__slug="ho-chieu")


def test_a_passport_booking_is_found_with_its_code_and_phone(client, passport):
    response = client.post("/tra-cuu/", {"code": passport.code.lower(), "phone": "0901 234 567"})
    assert response.status_code == 302 and response["Location"].startswith("/tra-cuu/")
    html = client.get(response["Location"]).content.decode()
    assert "Cấp hộ chiếu" in html or "hộ chiếu" in html.lower()
    assert re.findall(r'data-state="([a-z_]+)"', html) == ["submitted", "received", "in_progress", "ready"]
    assert "Đã nộp" in html and "Đã tiếp nhận tại quầy" in html and "chưa đến bước này" in html
    assert "/doi-lich/" in html and "/huy/" in html


def test_the_code_alone_or_a_wrong_phone_finds_nothing(client, passport):
    for data in ({"code": passport.code}, {"code": passport.code, "phone": "0912 345 678"}):
        response = client.post("/tra-cuu/", data)
        assert response.status_code == 200
        assert passport.holder_name not in response.content.decode()


def test_the_english_lookup(client, passport):
    response = client.post("/en/tra-cuu/", {"code": passport.code, "phone": "0901234567"})
    html = client.get(response["Location"]).content.decode()
    assert "Where your filing stands" in html and "Submitted" in html


def test_a_returned_filing_is_corrected_online_and_sent_again(client, passport, django_capture_on_commit_callbacks):
    from apps.filings.services import filing_transition
    from tests.backoffice.factories import OfficerFactory

    officer = OfficerFactory(is_superuser=True)
    filing_transition(filing=passport, target="returned", user=officer, reason="Số hộ chiếu cũ không đúng.")
    detail = client.post("/tra-cuu/", {"code": passport.code, "phone": "0901234567"})["Location"]
    html = client.get(detail).content.decode()
    assert "Số hộ chiếu cũ không đúng." in html and f"{detail}sua/" in html
    page = client.get(f"{detail}sua/").content.decode()
    assert 'value="C1234567"' in page and "disabled" in page
    data = {
        "holder_name": "Nguyễn Văn An",
        "phone": "0999999999",  # ignored: the confirmed phone stays
        "id_number": "079203001234",
        "request_type": "expiring",
        "current_passport": "C7654321",
        "purpose": "tourism",
    }
    response = client.post(f"{detail}sua/", data)
    assert response.status_code == 302 and response["Location"] == detail
    passport.refresh_from_db()
    assert passport.state == "submitted" and passport.answers["current_passport"] == "C7654321"
    assert str(passport.phone) == "+84901234567"
    assert list(passport.events.values_list("state", flat=True)) == ["submitted", "returned", "submitted"]
    # Only a returned filing can be corrected.
    assert client.get(f"{detail}sua/")["Location"] == detail


def _free_times(appointment, count: int) -> list:
    from apps.appointments.selectors import slot_list_available

    start = appointment.starts_at
    free = [
        slot
        for day in slot_list_available(
            unit=appointment.unit, procedure=appointment.procedure, start=start.date(), end=start.date() + timedelta(30)
        )
        for slot in day.slots
        if slot.free and slot.starts_at != start
    ]
    return free[:count]


def test_a_move_chosen_on_an_older_page_does_not_replace_a_newer_one(client, passport):
    """Two tabs on the move page: the first tab moves the visit; the second, still showing the old visit, is told
    the appointment changed elsewhere and moves nothing (the page posts back the moves it saw)."""
    detail = client.post("/tra-cuu/", {"code": passport.code, "phone": "0901234567"})["Location"]
    move_url = f"{detail}doi-lich/"
    appointment = passport.appointment
    first, second = _free_times(appointment, 2)
    seen = re.search(
        r'name="moves_seen" value="(\d+)"',
        client.get(move_url, {"unit": appointment.unit.slug, "day": f"{first.starts_at:%Y-%m-%d}"}).content.decode(),
    )
    assert seen is not None and seen.group(1) == "0"

    # Tab 1 moves the visit.
    assert client.post(move_url, {"slot": first.value, "moves_seen": "0"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == first.starts_at and appointment.reschedule_count == 1

    # Tab 2, rendered before that move, chooses another time: refused, nothing changes.
    response = client.post(move_url, {"slot": second.value, "moves_seen": "0"})
    assert response.status_code == 200
    assert "Lịch hẹn này vừa được đổi ở một trang khác" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == first.starts_at and appointment.reschedule_count == 1

    # The move page now carries the current count, and moving from it works.
    times = client.get(move_url, {"unit": appointment.unit.slug, "day": f"{second.starts_at:%Y-%m-%d}"})
    assert 'name="moves_seen" value="1"' in times.content.decode()
    assert client.post(move_url, {"slot": second.value, "moves_seen": "1"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == second.starts_at and appointment.reschedule_count == 2
