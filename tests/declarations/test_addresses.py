"""The address step: old names in their short forms find today's ward, the address picker and the directory's
ward finder agree on the mapping, and the current residence starts in the permanent address's province."""

import re

import pytest

from apps.declarations.addresses import ward_search_legacy
from apps.units.finder import ward_station_find
from apps.units.models import PoliceUnit

from .factories import address_data
from .test_journey import post

XOM_CHIEU, KHANH_HOI, VINH_HOI = 27259, 27265, 27286
# cccd-facts.md §5: the former wards of Quận 4 and the current wards they became.
DISTRICT_4 = {
    1: {VINH_HOI},
    2: {KHANH_HOI, VINH_HOI},
    3: {VINH_HOI},
    4: {KHANH_HOI, VINH_HOI},
    8: {KHANH_HOI},
    9: {KHANH_HOI},
    13: {XOM_CHIEU},
    15: {XOM_CHIEU, KHANH_HOI},
    16: {XOM_CHIEU},
    18: {XOM_CHIEU},
}


@pytest.mark.parametrize("text", ["P.9, Q.4", "Phuong 9 Quan 4", "p9 q4", "Phường 9, Quận 4"])
def test_the_picker_finds_khanh_hoi_from_short_forms(text):
    assert ward_search_legacy(province=79, text=text) == [(KHANH_HOI, "Phường Khánh Hội")]


def test_the_picker_still_knows_current_ward_names():
    assert ward_search_legacy(province=79, text="Xóm Chiếu") == [(XOM_CHIEU, "Phường Xóm Chiếu")]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "current"), DISTRICT_4.items())
def test_finder_and_picker_agree_on_each_former_ward(demo_data, old, current):
    for text in (f"Phường {old}, Quận 4", f"P.{old}, Q.4", f"Phuong {old} Quan 4"):
        picker = {code for code, _name in ward_search_legacy(province=79, text=text)}
        assert picker == current, text
        result = ward_station_find(address=text)
        station_wards = set(
            PoliceUnit.objects.filter(pk__in=result.unit_ids).values_list("ward_code", flat=True).distinct()
        )
        assert station_wards and {int(code) for code in station_wards} <= current, text


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    option = re.search(r'<option value="([^"]*)" selected>', select.group(1)) if select else None
    return option.group(1) if option else None


@pytest.mark.django_db
def test_the_current_residence_starts_in_the_permanent_provinces(client):
    hanoi = {
        "permanent_province": "1",
        "permanent_ward": "4",  # Phường Ba Đình
        "permanent_street": "1 Hoàng Hoa Thám",
    }
    data = {k: v for k, v in address_data(current_same="", **hanoi).items() if not k.startswith("current_")}
    assert post(client, "dia-chi", data, action="next").status_code == 302  # issue 12.9: errors after a redirect
    html = client.get("/thu-tuc/cap-cccd/dia-chi/").content.decode()
    assert _selected(html, "current_province") == "1"
    current_wards = re.search(r'<select[^>]*name="current_ward"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Phường Ba Đình" in current_wards and "Phường Khánh Hội" not in current_wards
    # A province the citizen chooses is kept.
    more = {**data, "current_province": "79", "current_ward": str(XOM_CHIEU), "current_street": "5 Tôn Đản"}
    assert post(client, "dia-chi", more, action="next").status_code == 302
