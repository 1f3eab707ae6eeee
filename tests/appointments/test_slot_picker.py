"""The slot picker fragment: unit, then day, then time, without JavaScript; alternatives when a time fills up."""

import re

import pytest
from django.utils import translation

from apps.appointments.forms import SlotPickerForm
from apps.appointments.services import appointment_hold

from .conftest import at
from .factories import ClosureFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.appointments.urls"),
    pytest.mark.usefixtures("holds_take_every_place"),
]


def test_step_one_lists_units_with_address_and_hours(client, unit, other_schedule, frozen_now):
    html = client.get("/journey/").content.decode()
    assert unit.address in html and other_schedule.unit.address in html
    assert "07:30–11:30, 13:30–17:00" in html
    assert f'href="?unit={unit.slug}#slot-picker"' in html


def test_step_two_lists_days_with_places_full_and_closed(client, unit, schedule, other_schedule, procedure, frozen_now):
    schedule.capacity = 1
    schedule.save()
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 3, 0), ends_at=at(2026, 12, 4, 0), reason="Bầu cử đại biểu")
    # Fill Wednesday 2 December completely.
    picker = SlotPickerForm(procedure=procedure, query={"unit": unit.slug, "day": "2026-12-02"})
    for i, slot in enumerate(picker.selected_day.slots):
        appointment_hold(
            unit=unit, procedure=procedure, starts_at=slot.starts_at, phone=f"09120000{i:02d}", holder_key=f"k{i}"
        )
    with translation.override("vi"):
        html = client.get(f"/journey/?unit={unit.slug}").content.decode()
    assert "Thứ Tư, 02/12/2026" in html
    wednesday = html[html.index("02/12/2026") : html.index("03/12/2026")]
    assert "Hết chỗ" in wednesday and "href" not in wednesday
    assert "Bầu cử đại biểu" in html
    assert f'href="?unit={unit.slug}&amp;day=2026-12-01#slot-picker"' in html
    # Saturdays and Sundays the unit never opens are left out.
    assert "05/12/2026" not in html


def test_step_three_posts_a_time_and_holds_it(client, unit, other_schedule, frozen_now):
    html = client.get(f"/journey/?unit={unit.slug}&day=2026-12-02").content.decode()
    values = re.findall(r'name="slot"[^>]*value="([^"]+)"', html)
    assert len(values) == 30 and values[0] == f"{unit.pk}@202612020730"
    assert "15" in html  # how long the place is kept
    response = client.post("/journey/", {"unit": unit.slug, "day": "2026-12-02", "slot": f"{unit.pk}@202612020900"})
    assert response.status_code == 200
    assert 'id="held"' in response.content.decode()


def test_a_time_filled_meanwhile_shows_the_nearest_alternatives(client, unit, other_schedule, procedure, frozen_now):
    for i, key in enumerate(("x", "y")):
        appointment_hold(
            unit=unit, procedure=procedure, starts_at=at(2026, 12, 2, 9), phone=f"091200000{i}", holder_key=key
        )
    with translation.override("vi"):
        response = client.post("/journey/", {"unit": unit.slug, "day": "2026-12-02", "slot": f"{unit.pk}@202612020900"})
    html = response.content.decode()
    assert 'id="held"' not in html
    assert "Giờ gần nhất còn chỗ" in html
    assert f'value="{unit.pk}@202612020845"' in html
    assert f'value="{other_schedule.unit.pk}@202612020900"' in html
    assert other_schedule.unit.address in html


def test_a_tampered_time_is_a_field_error_not_a_crash(client, unit, frozen_now):
    for day in ("2026-12-02", "", "yesterday"):
        for value in ("", "garbage", "999@202612020900", f"{unit.pk}@2026"):
            response = client.post("/journey/", {"unit": unit.slug, "day": day, "slot": value})
            assert response.status_code == 200
            assert 'class="alert alert-danger"' in response.content.decode()


def test_a_single_unit_skips_the_unit_step(client, unit, frozen_now):
    html = client.get("/journey/").content.decode()
    assert "02/12/2026" in html
    assert "Choose another unit" not in html and "Chọn đơn vị khác" not in html


def test_the_citizens_own_hold_is_shown_as_chosen_not_taken(unit, schedule, procedure, frozen_now):
    schedule.capacity = 1
    schedule.save()
    appointment_hold(unit=unit, procedure=procedure, starts_at=at(2026, 12, 2, 9), phone="0912000001", holder_key="me")
    query = {"unit": unit.slug, "day": "2026-12-02"}
    mine = SlotPickerForm(procedure=procedure, query=query, holder_key="me")
    nine = next(s for s in mine.selected_day.slots if s.starts_at == at(2026, 12, 2, 9))
    assert nine.free == 1 and mine.chosen_value == nine.value
    theirs = SlotPickerForm(procedure=procedure, query=query, holder_key="someone-else")
    assert next(s for s in theirs.selected_day.slots if s.starts_at == at(2026, 12, 2, 9)).is_full
