"""manage.py import_units: another police unit adopts the portal from a YAML or CSV file; the home unit is a
setting, and a province police without any district unit works."""

from datetime import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.appointments.models import BookingSchedule
from apps.units.models import PoliceUnit, UnitKind
from apps.units.selectors import unit_get_home, unit_get_home_unit

YAML = """
units:
  - slug: cong-an-tinh-bac-ninh
    kind: city
    name: Công an tỉnh Bắc Ninh
    name_en: Bac Ninh Province Police
    address: 1 Lý Thái Tổ, phường Suối Hoa
    address_en: 1 Lý Thái Tổ, Suối Hoa Ward
    phones: [{label: Trực ban, label_en: Duty desk, number: "0222 3822 113", hotline: true},
             {label: Tiếp dân, number: "0222 3810 222"}]
    area_served: Phường Suối Hoa (cũ)
    area_served_en: Former Suối Hoa Ward
    hours: "mon-fri 07:30-11:30 13:30-17:00"
  - slug: cong-an-phuong-kinh-bac
    kind: ward
    name: Công an phường Kinh Bắc
    name_en: Kinh Bac Ward Police
    address: 5 Ngô Gia Tự
    parent: cong-an-tinh-bac-ninh
    receives_id_applications: true
    phones: [{number: "0222 3850 001"}]
    hours: "mon-fri 07:30-11:30; sat 08:00-11:00"
    schedule: {slot_minutes: 20, capacity: 3, lead_time_hours: 4, horizon_days: 14}
"""

CSV = """slug,kind,name,name_en,address,address_en,parent,phones,hours,slot_minutes,capacity
cong-an-tinh-bac-ninh,city,Công an tỉnh Bắc Ninh,Bac Ninh Province Police,1 Lý Thái Tổ,1 Lý Thái Tổ Street,,Trực ban=0222 3822 113,mon-fri 07:30-11:30,,
cong-an-xa-tien-du,ward,Công an xã Tiên Du,Tien Du Commune Police,Thôn Lũng Giang,,cong-an-tinh-bac-ninh,Trực ban=0222 3840 002;Tiếp dân=0222 3840 003,mon-sat 07:30-11:30,30,1
"""  # noqa: E501


def _run(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_units", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_yaml_import_creates_units_phones_hours_and_schedule_and_is_idempotent(tmp_path):
    assert _run(tmp_path, "units.yaml", YAML).strip() == "2 units created, 0 updated."
    province = PoliceUnit.objects.get(slug="cong-an-tinh-bac-ninh")
    ward = PoliceUnit.objects.get(slug="cong-an-phuong-kinh-bac")
    assert (province.kind, province.name_en) == (UnitKind.CITY, "Bac Ninh Province Police")
    assert (province.address_en, ward.address_en) == ("1 Lý Thái Tổ, Suối Hoa Ward", "")
    assert ward.parent == province and ward.receives_id_applications
    assert [(p.number, p.is_hotline, p.label_en) for p in province.phones.all()] == [
        ("0222 3822 113", True, "Duty desk"),
        ("0222 3810 222", False, ""),
    ]
    assert (province.area_served, province.area_served_en) == ("Phường Suối Hoa (cũ)", "Former Suối Hoa Ward")
    assert province.opening_hours.count() == 10
    assert sorted({h.weekday for h in ward.opening_hours.all()}) == [0, 1, 2, 3, 4, 5]
    saturday = ward.opening_hours.get(weekday=5)
    assert (saturday.opens, saturday.closes) == (time(8, 0), time(11, 0))
    schedule = BookingSchedule.objects.get(unit=ward)
    assert (schedule.slot_minutes, schedule.capacity, schedule.lead_time_hours, schedule.horizon_days) == (20, 3, 4, 14)

    assert _run(tmp_path, "units.yaml", YAML).strip() == "0 units created, 2 updated."
    assert PoliceUnit.objects.count() == 2 and province.phones.count() == 2 and province.opening_hours.count() == 10


@pytest.mark.django_db
def test_csv_import(tmp_path):
    assert _run(tmp_path, "units.csv", CSV).strip() == "2 units created, 0 updated."
    commune = PoliceUnit.objects.get(slug="cong-an-xa-tien-du")
    assert PoliceUnit.objects.get(slug="cong-an-tinh-bac-ninh").address_en == "1 Lý Thái Tổ Street"
    assert commune.address_en == ""
    assert [(p.label, p.number, p.is_hotline) for p in commune.phones.all()] == [
        ("Trực ban", "0222 3840 002", True),
        ("Tiếp dân", "0222 3840 003", False),
    ]
    assert commune.opening_hours.count() == 6
    assert BookingSchedule.objects.get(unit=commune).slot_minutes == 30


@pytest.mark.django_db
def test_a_bad_row_imports_nothing(tmp_path):
    bad = YAML.replace('hours: "mon-fri 07:30-11:30; sat 08:00-11:00"', 'hours: "weekdays 7h30"')
    with pytest.raises(CommandError, match="Opening hours not understood"):
        _run(tmp_path, "units.yaml", bad)
    assert PoliceUnit.objects.count() == 0


@pytest.mark.django_db
def test_home_unit_without_any_district_is_the_province_police(tmp_path):
    _run(tmp_path, "units.yaml", YAML)
    assert unit_get_home_unit().slug == "cong-an-tinh-bac-ninh"
    assert unit_get_home().hotline == "0222 3822 113"


@pytest.mark.django_db
def test_home_unit_is_the_setting(tmp_path, settings):
    _run(tmp_path, "units.yaml", YAML)
    settings.PORTAL_HOME_UNIT = "cong-an-phuong-kinh-bac"
    assert unit_get_home_unit().slug == "cong-an-phuong-kinh-bac"
    assert unit_get_home().name == "Công an phường Kinh Bắc"


def test_no_translated_string_names_a_particular_district():
    """Another unit adopts the portal without editing catalogs: examples come from PORTAL_ADDRESS_EXAMPLES."""
    from pathlib import Path

    import polib
    from django.conf import settings

    catalogs = list(Path(settings.BASE_DIR).glob("apps/*/locale/vi/LC_MESSAGES/django.po"))
    assert len(catalogs) >= 5
    named = [
        (path.parts[-5], entry.msgid)
        for path in catalogs
        for entry in polib.pofile(str(path))
        if any(place in entry.msgid for place in ("Quận 4", "District 4", "Khánh Hội", "Phường 9"))
    ]
    assert named == []


@pytest.mark.django_db
def test_address_examples_come_from_the_setting(client, settings):
    settings.PORTAL_ADDRESS_EXAMPLES = ["Phường Tiền An", "Ngô Gia Tự"]
    html = client.get("/lien-he/").content.decode()
    assert "ví dụ “Phường Tiền An” hoặc “Ngô Gia Tự”" in html
    assert "Khánh Hội" not in html
