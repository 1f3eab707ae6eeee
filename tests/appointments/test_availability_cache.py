"""The slot picker's cached availability: served from the cache between changes, invalidated precisely by every
change that alters it (holds, bookings, cancellations, schedules, closures, days off), never stale on lead time,
hold expiry or a rolled-back transaction; and a small, fixed number of queries per page."""

import re
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.appointments import selectors
from apps.appointments.models import OfficialDayKind
from apps.appointments.selectors import slot_list_available
from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_expire_holds,
    appointment_hold,
)

from .conftest import NOW, at
from .factories import ClosureFactory, OfficialDayFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.appointments.urls"),
    pytest.mark.usefixtures("holds_take_every_place"),
]

TIMES = "/journey/?unit={slug}&day=2026-12-02"
DAYS = "/journey/?unit={slug}"


def _time_input(html: str, unit, hhmm: str) -> str:
    value = f"{unit.pk}@20261202{hhmm}"
    return re.search(rf'<input[^>]*value="{value}"[^>]*>', html).group(0)


def _day_item(html: str, iso_day: str) -> str:
    d = date.fromisoformat(iso_day)
    start = html.index(f"{d:%d/%m/%Y}")
    return html[start : html.index("</li>", start)]


_phones = iter(range(10_000))


def _fill(unit, procedure, starts_at, places: int, prefix: str = "p"):
    """Hold `places` places at `starts_at`, each for another citizen (another phone and browser)."""
    return [
        appointment_hold(
            unit=unit,
            procedure=procedure,
            starts_at=starts_at,
            phone=f"0912{next(_phones):06d}",
            holder_key=f"{prefix}{i}",
        )
        for i in range(places)
    ]


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_booking_that_fills_a_time_shows_it_full_on_the_next_render(client, unit, procedure, frozen_now):
    url = TIMES.format(slug=unit.slug)
    assert "disabled" not in _time_input(_get(client, url), unit, "0900")
    first, second = _fill(unit, procedure, at(2026, 12, 2, 9), 2)
    appointment_book(appointment=first, reference="A1", holder_name="Nguyễn Văn A")
    appointment_book(appointment=second, reference="A2", holder_name="Trần Thị B")
    assert "disabled" in _time_input(_get(client, url), unit, "0900")
    # Cancelling (a queryset update, not a save) frees it again at once.
    appointment_cancel(appointment=first, reason="test")
    assert "disabled" not in _time_input(_get(client, url), unit, "0900")


def test_a_day_that_fills_shows_full_on_the_next_render(client, unit, schedule, procedure, frozen_now):
    schedule.capacity = 1
    schedule.save()
    url = DAYS.format(slug=unit.slug)
    assert "Còn 30 chỗ" in _day_item(_get(client, url), "2026-12-02")
    for slot in slot_list_available(unit=unit, procedure=procedure, start=date(2026, 12, 2), end=date(2026, 12, 2))[
        0
    ].slots:
        _fill(unit, procedure, slot.starts_at, 1, prefix=f"{slot.starts_at:%H%M}-")
    item = _day_item(_get(client, url), "2026-12-02")
    assert "Hết chỗ" in item and "Còn" not in item


def test_schedule_closure_and_day_off_changes_show_on_the_next_render(client, unit, schedule, frozen_now):
    url = DAYS.format(slug=unit.slug)
    html = _get(client, url)
    assert "Còn 60 chỗ" in _day_item(html, "2026-12-02")
    schedule.capacity = 3
    schedule.save()
    assert "Còn 90 chỗ" in _day_item(_get(client, url), "2026-12-02")
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 2, 0), ends_at=at(2026, 12, 3, 0), reason="Bầu cử đại biểu")
    assert "Bầu cử đại biểu" in _day_item(_get(client, url), "2026-12-02")
    OfficialDayFactory(date=date(2026, 12, 4), kind=OfficialDayKind.DAY_OFF, name="Nghỉ bù")
    assert "Nghỉ bù" in _day_item(_get(client, url), "2026-12-04")


def test_the_cached_availability_is_reused_and_the_pages_stay_within_a_fixed_query_budget(
    client, unit, other_schedule, frozen_now, django_assert_max_num_queries
):
    for url in (DAYS.format(slug=unit.slug), TIMES.format(slug=unit.slug)):
        with CaptureQueriesContext(transaction.get_connection()) as cold:
            _get(client, url)
        # Computing costs a fixed number of queries however long the horizon is …
        # (9 for the picker, 3 for the page's footer contacts the first time, cached afterwards).
        assert len(cold.captured_queries) <= 12
        # … and until something changes, the page reuses it: the procedure (the test view's own query) only.
        with django_assert_max_num_queries(1):
            _get(client, url)


def test_lead_time_and_hold_expiry_stay_exact_without_any_write(client, unit, procedure, frozen_now, monkeypatch):
    # Cached entries outlive the moves in time below, as they do in Redis.
    monkeypatch.setattr(selectors, "AVAILABILITY_LOCAL_SECONDS", 3600)
    url = TIMES.format(slug=unit.slug)
    _fill(unit, procedure, at(2026, 12, 2, 14), 2)
    html = _get(client, url)
    assert "disabled" in _time_input(html, unit, "1400")
    # The holds expire (15 minutes): the time is free again on the next render, no write or task needed.
    frozen_now.move_to(NOW + timedelta(minutes=16))
    assert "disabled" not in _time_input(_get(client, url), unit, "1400")
    assert appointment_expire_holds(now=timezone.now()) == 2


def test_lead_time_is_applied_to_the_cached_snapshot_on_every_read(unit, procedure, frozen_now, monkeypatch):
    monkeypatch.setattr(selectors, "AVAILABILITY_LOCAL_SECONDS", 3600)
    computed = []
    compute = selectors._availability_compute
    monkeypatch.setattr(selectors, "_availability_compute", lambda **kw: computed.append(1) or compute(**kw))
    today = date(2026, 12, 1)

    def first_time_today():
        days = slot_list_available(unit=unit, procedure=procedure, start=today, end=today + timedelta(days=3))
        return days[0].slots[0].local_start.strftime("%H:%M")

    assert first_time_today() == "10:00"  # 08:00 + 2 hours' lead time
    frozen_now.move_to(NOW + timedelta(minutes=20))
    assert first_time_today() == "10:30"
    assert len(computed) == 1  # the same snapshot, read twice
    frozen_now.move_to(at(2026, 12, 1, 15, 50))
    days = slot_list_available(unit=unit, procedure=procedure, start=today, end=today)
    assert days[0].is_closed and days[0].closed_because == selectors.ClosedBecause.TOO_LATE


def test_the_citizens_own_hold_stays_their_choice_with_a_cached_snapshot(unit, schedule, procedure, frozen_now):
    from apps.appointments.forms import SlotPickerForm

    schedule.capacity = 1
    schedule.save()
    query = {"unit": unit.slug, "day": "2026-12-02"}
    SlotPickerForm(procedure=procedure, query=query).days  # noqa: B018 (computes and caches the snapshot)
    appointment_hold(unit=unit, procedure=procedure, starts_at=at(2026, 12, 2, 9), phone="0912000001", holder_key="me")
    mine = SlotPickerForm(procedure=procedure, query=query, holder_key="me")
    nine = next(s for s in mine.selected_day.slots if s.starts_at == at(2026, 12, 2, 9))
    assert nine.free == 1 and mine.chosen_value == nine.value and mine.selected_day.is_open
    theirs = SlotPickerForm(procedure=procedure, query=query, holder_key="someone-else")
    assert next(s for s in theirs.selected_day.slots if s.starts_at == at(2026, 12, 2, 9)).is_full


def test_a_rolled_back_transaction_leaves_no_stale_availability(unit, procedure, frozen_now):
    day = date(2026, 12, 2)

    def nine():
        days = slot_list_available(unit=unit, procedure=procedure, start=day, end=day)
        return next(s for s in days[0].slots if s.starts_at == at(2026, 12, 2, 9))

    assert nine().free == 2

    class Rollback(Exception):
        pass

    def fill_then_fail():
        with transaction.atomic():
            _fill(unit, procedure, at(2026, 12, 2, 9), 2)
            assert nine().is_full  # seen inside the transaction, never cached from there
            raise Rollback

    with pytest.raises(Rollback):
        fill_then_fail()
    assert nine().free == 2


def test_cached_picker_html_carries_each_requests_own_csrf_token(unit, other_schedule, frozen_now):
    from django.test import Client

    url = TIMES.format(slug=unit.slug)
    tokens = []
    for _citizen in range(2):
        citizen = Client(enforce_csrf_checks=True)
        html = _get(citizen, url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert "@@" not in html
        tokens.append(token)
        response = citizen.post(
            "/journey/",
            {"csrfmiddlewaretoken": token, "unit": unit.slug, "day": "2026-12-02", "slot": f"{unit.pk}@202612021400"},
        )
        assert response.status_code == 200
    assert tokens[0] != tokens[1]


def test_cached_picker_html_follows_the_lead_time(client, unit, frozen_now, monkeypatch):
    monkeypatch.setattr(selectors, "AVAILABILITY_LOCAL_SECONDS", 3600)
    url = f"/journey/?unit={unit.slug}&day=2026-12-01"
    assert f'value="{unit.pk}@202612011000"' in _get(client, url)
    frozen_now.move_to(NOW + timedelta(minutes=5))
    html = _get(client, url)
    assert f'value="{unit.pk}@202612011000"' not in html and f'value="{unit.pk}@202612011015"' in html
