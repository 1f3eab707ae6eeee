"""Find the ward station from an address, old or new ward name, with or without diacritics."""

import pytest

from apps.units.finder import normalize_place, ward_station_find
from apps.units.models import PoliceUnit

pytestmark = pytest.mark.django_db


def _slugs(result) -> set[str]:
    return set(PoliceUnit.objects.filter(pk__in=result.unit_ids).values_list("slug", flat=True))


KHANH_HOI_STATIONS = {f"cong-an-phuong-{n}-quan-4" for n in (6, 8, 9, 10)}


@pytest.mark.parametrize(
    "address", ["Phường 9, Quận 4", "phuong 9 quan 4", "P.9, Q.4", "52 Tôn Thất Thuyết, P9, Q4", "Phường 9 (cũ)"]
)
def test_an_old_ward_leads_to_its_own_station(demo_data, address):
    result = ward_station_find(address=address)
    assert _slugs(result) == {"cong-an-phuong-9-quan-4"}
    assert result.exact and result.current_ward == "Phường Khánh Hội"


def test_ward_1_is_not_mistaken_for_ward_13_or_18(demo_data):
    assert _slugs(ward_station_find(address="Phường 1, Quận 4")) == {"cong-an-phuong-1-quan-4"}


@pytest.mark.parametrize("address", ["Khánh Hội", "khanh hoi", "Phường Khánh Hội", "PHUONG KHANH HOI, TP HCM"])
def test_the_new_ward_name_lists_its_stations(demo_data, address):
    result = ward_station_find(address=address)
    assert _slugs(result) == KHANH_HOI_STATIONS
    assert not result.exact and result.current_ward == "Phường Khánh Hội"


def test_an_old_ward_without_a_station_of_its_own_goes_through_the_national_list(demo_data):
    # Former Phường 2 was split between Khánh Hội and Vĩnh Hội; a station still covers it by name, so it wins.
    assert _slugs(ward_station_find(address="phường 2 quận 4")) == {"cong-an-phuong-2-quan-4"}
    PoliceUnit.objects.filter(slug="cong-an-phuong-2-quan-4").update(is_active=False)
    from apps.units.selectors import unit_home_cache_clear

    unit_home_cache_clear()
    result = ward_station_find(address="phường 2 quận 4")
    # The national list says former Phường 2 is now part of Khánh Hội and Vĩnh Hội: stations of both.
    assert "cong-an-phuong-9-quan-4" in _slugs(result) and "cong-an-phuong-1-quan-4" in _slugs(result)
    assert result.legacy_label == "Phường 2, Quận 4"


def test_another_district_is_not_matched(demo_data):
    assert ward_station_find(address="Phường 9, Quận 3").unit_ids == []


def test_streets_listed_in_the_area_served_are_found(demo_data):
    PoliceUnit.objects.filter(slug="cong-an-phuong-13-quan-4").update(
        area_served="Phường 13 (cũ), Quận 4; Bến Vân Đồn (số lẻ 231–309)"
    )
    from apps.units.selectors import unit_home_cache_clear

    unit_home_cache_clear()
    assert _slugs(ward_station_find(address="281 ben van don")) == {"cong-an-phuong-13-quan-4"}


def test_abbreviations_are_expanded():
    assert normalize_place("F.9, Q.4, TP.HCM") == "phuong 9 quan 4 tp hcm"


@pytest.mark.parametrize("address", ["", "x", "zzzz", "<script>", "9" * 500])
def test_nonsense_finds_nothing_without_error(demo_data, address):
    assert ward_station_find(address=address).unit_ids == []
