"""District 4 Police (Ho Chi Minh City) scenario: the city police, the district police and its 15 ward stations.

Addresses follow the district's streets; phone numbers other than 113 are illustrative and are replaced by the
unit's real numbers in admin. Idempotent: units are keyed by slug, phones by order, hours by weekday and start.
"""

from datetime import time

from django.db import transaction

from .models import OpeningHours, PoliceUnit, UnitKind, UnitPhone
from .selectors import unit_home_cache_clear

MORNING = (time(7, 30), time(11, 30))
AFTERNOON = (time(13, 30), time(17, 0))
WEEKDAYS = range(0, 5)

CITY = {
    "slug": "cong-an-tp-hcm",
    "kind": UnitKind.CITY,
    "name": "Công an Thành phố Hồ Chí Minh",
    "name_en": "Ho Chi Minh City Police",
    "address": "268 Trần Hưng Đạo, Phường Cầu Ông Lãnh, Thành phố Hồ Chí Minh",
    "address_en": "268 Trần Hưng Đạo, Cầu Ông Lãnh Ward, Ho Chi Minh City",
    "email": "congan@tphcm.gov.vn",
    "phones": [
        ("Trực ban", "Duty desk", "069 318 7344", True),
        ("Tiếp công dân", "Citizen reception", "028 3920 0000", False),
    ],
    "order": 1,
}
DISTRICT = {
    "slug": "cong-an-quan-4",
    "kind": UnitKind.DISTRICT,
    "name": "Công an Quận 4",
    "name_en": "District 4 Police",
    "address": "14 Đoàn Như Hài, Phường Xóm Chiếu, Thành phố Hồ Chí Minh",
    "address_en": "14 Đoàn Như Hài, Xóm Chiếu Ward, Ho Chi Minh City",
    "email": "conganquan4@tphcm.gov.vn",
    "phones": [
        ("Trực ban", "Duty desk", "028 3940 0155", True),
        ("Đội Cảnh sát QLHC về TTXH", "Administrative Police Team (public order)", "028 3940 0344", False),
    ],
    "receives_id_applications": True,
    "saturday_morning": True,
    "order": 2,
}
# (ward number, street address, current ward code, receives ID applications, opens Saturday morning)
WARDS = [
    (1, "2 Đoàn Văn Bơ", "27286", True, True),
    (2, "102 Nguyễn Tất Thành", "27286", False, False),
    (3, "166 Lê Văn Linh", "27286", True, False),
    (4, "25 Hoàng Diệu", "27286", False, False),
    (5, "36 Bến Vân Đồn", "27286", False, False),
    (6, "120 Hoàng Diệu", "27265", False, False),
    (8, "188 Khánh Hội", "27265", True, True),
    (9, "52 Tôn Thất Thuyết", "27265", True, False),
    (10, "216 Khánh Hội", "27265", False, False),
    (12, "60 Đoàn Như Hài", "27259", False, False),
    (13, "281 Bến Vân Đồn", "27259", True, True),
    (14, "89 Tôn Đản", "27259", False, False),
    (15, "146 Tôn Đản", "27259", False, False),
    (16, "4 Xóm Chiếu", "27259", True, False),
    (18, "215 Tôn Thất Thuyết", "27259", False, False),
]


def _ward_unit(number: int, street: str, ward_code: str, receives: bool, saturday: bool, order: int) -> dict:
    return {
        "slug": f"cong-an-phuong-{number}-quan-4",
        "kind": UnitKind.WARD,
        "name": f"Công an Phường {number}, Quận 4",
        "name_en": f"Ward {number} Police Station, District 4",
        "address": f"{street}, Quận 4, Thành phố Hồ Chí Minh",
        "address_en": f"{street}, District 4, Ho Chi Minh City",
        "ward_code": ward_code,
        "area_served": f"Phường {number} (cũ), Quận 4",
        "area_served_en": f"Former Ward {number}, District 4",
        "email": f"caphuong{number}.q4@tphcm.gov.vn",
        "phones": [("Trực ban", "Duty desk", f"028 3826 {4100 + number:04d}", True)],
        "receives_id_applications": receives,
        "saturday_morning": saturday,
        "order": order,
    }


def _save_unit(data: dict, parent: PoliceUnit | None) -> PoliceUnit:
    data = dict(data)
    phones = data.pop("phones")
    saturday = data.pop("saturday_morning", False)
    slug = data.pop("slug")
    unit, _ = PoliceUnit.objects.update_or_create(slug=slug, defaults={**data, "parent": parent})
    for order, (label, label_en, number, hotline) in enumerate(phones):
        UnitPhone.objects.update_or_create(
            unit=unit,
            order=order,
            defaults={"label": label, "label_en": label_en, "number": number, "is_hotline": hotline},
        )
    sessions = [(day, *MORNING) for day in WEEKDAYS] + [(day, *AFTERNOON) for day in WEEKDAYS]
    if saturday:
        sessions.append((5, *MORNING))
    for weekday, opens, closes in sessions:
        OpeningHours.objects.update_or_create(unit=unit, weekday=weekday, opens=opens, defaults={"closes": closes})
    return unit


@transaction.atomic
def load(*, stdout) -> None:
    city = _save_unit(CITY, None)
    district = _save_unit(DISTRICT, city)
    for order, row in enumerate(WARDS, start=10):
        _save_unit(_ward_unit(*row, order=order), district)
    unit_home_cache_clear()
    stdout.write(f"Police units: {PoliceUnit.objects.count()}")
