import pytest

from apps.units.models import Weekday
from apps.units.selectors import unit_list_active, unit_opening_hours_summary

from .factories import OpeningHoursFactory, PoliceUnitFactory


@pytest.mark.django_db
def test_directory_lists_every_unit_with_tap_to_call_numbers(client, demo_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/lien-he/")
    html = response.content.decode()
    assert html.count('class="portal-card"') == 17
    assert "Công an Thành phố Hồ Chí Minh" in html
    assert 'href="tel:02839400155"' in html
    # Grouped: city, then district, then wards.
    assert html.index("Công an thành phố") < html.index("Công an quận") < html.index("Công an phường")


@pytest.mark.django_db
def test_opening_hours_are_folded_into_readable_lines():
    unit = PoliceUnitFactory()
    for day in range(5):
        OpeningHoursFactory(unit=unit, weekday=day)
        OpeningHoursFactory(unit=unit, weekday=day, opens="13:30", closes="17:00")
    OpeningHoursFactory(unit=unit, weekday=Weekday.SATURDAY)
    unit = unit_list_active().get(pk=unit.pk)
    lines = unit_opening_hours_summary(unit=unit)
    assert [(line.days, line.periods) for line in lines] == [
        ("Thứ Hai – Thứ Sáu", "07:30–11:30, 13:30–17:00"),
        ("Thứ Bảy", "07:30–11:30"),
    ]
