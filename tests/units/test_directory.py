import pytest

from apps.units.models import PoliceUnit, Weekday
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
    assert 'href="mailto:conganquan4@tphcm.gov.vn"' in html
    assert html.count("https://www.google.com/maps/search/?api=1&amp;query=") == 17
    # Grouped: city, then district, then wards.
    assert html.index("Công an thành phố") < html.index("Công an quận") < html.index("Công an phường")
    # 113 comes first and stands out.
    assert html.index('href="tel:113"') < html.index('class="portal-card"')
    # Rendered once: the next visit costs no query at all.
    with django_assert_max_num_queries(0):
        assert client.get("/lien-he/").content.decode().count('class="portal-card"') == 17


@pytest.mark.django_db
def test_english_pages_show_the_english_address_and_vietnamese_pages_the_vietnamese_one(client, demo_data):
    english = client.get("/en/lien-he/").content.decode()
    assert "14 Đoàn Như Hài, Xóm Chiếu Ward, Ho Chi Minh City" in english
    assert "2 Đoàn Văn Bơ, District 4, Ho Chi Minh City" in english
    assert "Phường Xóm Chiếu, Thành phố Hồ Chí Minh" not in english  # neither in the card nor in the footer
    vietnamese = client.get("/lien-he/").content.decode()
    assert "14 Đoàn Như Hài, Phường Xóm Chiếu, Thành phố Hồ Chí Minh" in vietnamese
    assert "Xóm Chiếu Ward" not in vietnamese
    home = client.get("/").content.decode()  # the footer shows the home unit's address
    assert "14 Đoàn Như Hài, Phường Xóm Chiếu, Thành phố Hồ Chí Minh" in home and "Ho Chi Minh City" not in home
    assert "14 Đoàn Như Hài, Xóm Chiếu Ward, Ho Chi Minh City" in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_a_unit_without_an_english_address_shows_the_vietnamese_one_on_english_pages(client, demo_data):
    PoliceUnit.objects.filter(slug="cong-an-phuong-9-quan-4").update(address_en="")
    english = client.get("/en/lien-he/").content.decode()
    assert "52 Tôn Thất Thuyết, Quận 4, Thành phố Hồ Chí Minh" in english
    assert "188 Khánh Hội, District 4, Ho Chi Minh City" in english


@pytest.mark.django_db
def test_changing_a_unit_in_admin_refreshes_the_directory(client, demo_data, admin_client):
    client.get("/lien-he/")
    unit = PoliceUnit.objects.get(slug="cong-an-phuong-9-quan-4")
    response = admin_client.get(f"/admin/units/policeunit/{unit.pk}/change/")
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"parent"}}
    data.update(
        name="Công an Phường 9 (đổi tên), Quận 4",
        parent=unit.parent_id,
        **{f"{prefix}-TOTAL_FORMS": 0 for prefix in ("phones", "opening_hours")},
        **{f"{prefix}-INITIAL_FORMS": 0 for prefix in ("phones", "opening_hours")},
    )
    assert admin_client.post(f"/admin/units/policeunit/{unit.pk}/change/", data).status_code == 302
    assert "Công an Phường 9 (đổi tên), Quận 4" in client.get("/lien-he/").content.decode()


@pytest.mark.django_db
def test_the_directory_finds_the_ward_station(client, demo_data, django_assert_max_num_queries):
    client.get("/lien-he/")
    with django_assert_max_num_queries(5):
        html = client.get("/lien-he/?dia-chi=Ph%C6%B0%E1%BB%9Dng+9%2C+Qu%E1%BA%ADn+4").content.decode()
    found = html[html.index("Công an phường của bạn") : html.index('id="city"')]
    assert "Công an Phường 9, Quận 4" in found and "Phường Khánh Hội" in found
    assert found.count('class="portal-card"') == 1
    html = client.get("/lien-he/?dia-chi=khong+co+dau+ca").content.decode()
    assert "Không tìm thấy công an phường" in html


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


@pytest.mark.django_db
def test_english_pages_show_the_english_area_and_phone_labels(client, demo_data):
    english = client.get("/en/lien-he/").content.decode()
    assert "Area: Former Ward 8, District 4" in english
    assert "Duty desk: 028 3826 4108" in english
    assert "Administrative Police Team (public order): 028 3940 0344" in english
    assert "(cũ)" not in english and "Trực ban" not in english and "Tiếp công dân" not in english
    vietnamese = client.get("/lien-he/").content.decode()
    assert "Phường 8 (cũ), Quận 4" in vietnamese and "Trực ban: 028 3826 4108" in vietnamese
    assert "Former Ward" not in vietnamese and "Duty desk" not in vietnamese


@pytest.mark.django_db
def test_a_phone_or_area_without_english_shows_the_vietnamese_one_on_english_pages(client, demo_data):
    from apps.units.models import UnitPhone

    UnitPhone.objects.filter(unit__slug="cong-an-quan-4", order=1).update(label_en="")
    PoliceUnit.objects.filter(slug="cong-an-phuong-9-quan-4").update(area_served_en="")
    english = client.get("/en/lien-he/").content.decode()
    assert "Đội Cảnh sát QLHC về TTXH: 028 3940 0344" in english
    assert "Area: Phường 9 (cũ), Quận 4" in english and "Area: Former Ward 8, District 4" in english
