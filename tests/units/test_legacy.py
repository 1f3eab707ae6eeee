"""Old ward names → today's wards (apps.units.legacy), from the 1 July 2025 table for Quận 4 (NQ 1685/NQ-UBTVQH15,
cccd-facts.md §5): Xóm Chiếu ← P.13, 16, 18, part of 15; Khánh Hội ← P.8, 9, parts of 2, 4, 15; Vĩnh Hội ← P.1, 3,
parts of 2, 4. A split ward maps to every ward that took part of it."""

import pytest

from apps.units.legacy import legacy_ward_current, normalize_place

XOM_CHIEU, KHANH_HOI, VINH_HOI = 27259, 27265, 27286
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


def codes(text: str) -> set[int]:
    return {m.code for m in legacy_ward_current(text=text)}


@pytest.mark.parametrize(("old", "current"), DISTRICT_4.items())
def test_every_former_ward_of_district_4(old, current):
    assert codes(f"Phường {old}, Quận 4") == current


@pytest.mark.parametrize(
    "text",
    [
        "Phường 9, Quận 4",
        "P.9, Q.4",
        "P9 Q4",
        "p.9 q.4",
        "F9, Q4",
        "Phuong 9 Quan 4",
        "phuong 9,quan 4",
        "PHƯỜNG 09, QUẬN 04",
        "52 Tôn Thất Thuyết, P.9, Q.4, TP.HCM",
    ],
)
def test_common_short_forms_of_an_old_address(text):
    assert codes(text) == {KHANH_HOI}


def test_the_district_tells_apart_wards_with_the_same_number():
    assert KHANH_HOI not in codes("Phường 9, Quận 3") and codes("Phường 9, Quận 3")
    assert len(codes("Phường 9")) > 1 and KHANH_HOI in codes("Phường 9")  # no district: every Phường 9


def test_named_wards_and_named_districts():
    assert codes("P. Tân Định, Q.1") == codes("Phường Tân Định, Quận 1") == {26737}
    assert codes("P.1, Q. Bình Thạnh") == codes("Phường 1, Quận Bình Thạnh")
    assert codes("Phường 1, Quận Bình Thạnh").isdisjoint(codes("Phường 1, Quận 4"))


def test_a_district_alone_gives_all_its_current_wards():
    assert codes("Quận 4") == {XOM_CHIEU, KHANH_HOI, VINH_HOI}


def test_the_label_names_the_former_ward():
    (match,) = legacy_ward_current(text="p9 q4")
    assert (match.name, match.label) == ("Phường Khánh Hội", "Phường 9, Quận 4")


@pytest.mark.parametrize("text", ["", "x", "zzzz", "<script>", "9" * 500, "Phường 99, Quận 4"])
def test_nonsense_maps_to_nothing(text):
    assert codes(text) == set()


def test_normalize_place():
    assert normalize_place("F.9, Q.4, TP.HCM") == "phuong 9 quan 4 tp hcm"
    assert normalize_place("Phường 09, Quận 04") == "phuong 9 quan 4"
    assert normalize_place("H. Cần Giờ") == "huyen can gio"
