"""/thu-tuc/ and /thu-tuc/<slug>/gioi-thieu/: the catalogue, from the model's fields, in both languages."""

import re

import pytest
from django.urls import reverse

from apps.procedures.models import Procedure

from ..units.factories import OpeningHoursFactory, PoliceUnitFactory, UnitPhoneFactory
from .factories import ProcedureFactory

FOUR = ["ho-chieu", "dang-ky-xe", "dang-ky-cu-tru", "tam-tru-nguoi-nuoc-ngoai"]


def _one_h1(html: str) -> bool:
    return len(re.findall(r"<h1[\s>]", html)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_list_shows_every_active_procedure_in_order(client, demo_data, prefix, django_assert_max_num_queries):
    Procedure.objects.filter(slug="dang-ky-xe").update(is_active=False)
    with django_assert_max_num_queries(4):
        response = client.get(f"{prefix}/thu-tuc/")
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    links = re.findall(r'href="((?:/en)?/thu-tuc/[-a-z]+/gioi-thieu/)"', html)
    assert links == [f"{prefix}/thu-tuc/{slug}/gioi-thieu/" for slug in ["cap-cccd", *FOUR] if slug != "dang-ky-xe"]
    if prefix:
        assert "Ordinary passport" in html and "Identity card: new card, exchange, re-issue" in html
    else:
        assert "Cấp hộ chiếu phổ thông" in html and "Khai báo tạm trú cho người nước ngoài" in html


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["cap-cccd", *FOUR])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_demo_procedure_has_a_full_page_in_both_languages(client, demo_data, slug, prefix):
    procedure = Procedure.objects.get(slug=slug)
    response = client.get(f"{prefix}/thu-tuc/{slug}/gioi-thieu/")
    html = response.content.decode()
    assert response.status_code == 200 and _one_h1(html)
    english = bool(prefix)
    for field in ("name", "fee", "processing_time"):
        value = getattr(procedure, f"{field}_en" if english else field)
        assert value, f"{slug} lacks {field}"
        if "{" in value:  # the identity card's amounts come from the fee schedule (test_catalogue_fee.py)
            value = value.split("{")[0]
            assert "{own_request}" not in html and "{reduction}" not in html
        assert value.replace("'", "&#x27;") in html
    first_document = (procedure.documents_en if english else procedure.documents).splitlines()[0]
    assert f"<li>{first_document}</li>" in html
    headings = (
        ["Who it is for", "Documents to bring", "Where it is handled"]
        if english
        else ["Đối tượng", "Giấy tờ cần mang", "Nơi giải quyết"]
    )
    for heading in headings:
        assert heading in html
    # Where it is handled: each unit with its address and opening hours.
    unit = procedure.units.first()
    assert unit is not None
    assert (unit.address_en if english else unit.address) in html
    assert ("Ho Chi Minh City" in html) is english  # the English address on /en/, the Vietnamese one on /
    assert "07:30–11:30" in html


@pytest.mark.django_db
def test_detail_shows_units_with_phones_and_hours(client, django_assert_max_num_queries):
    unit = PoliceUnitFactory(name="Công an Phường Khánh Hội", address="188 Khánh Hội")
    UnitPhoneFactory(unit=unit, number="028 3826 4108")
    OpeningHoursFactory(unit=unit, weekday=0)
    hidden = PoliceUnitFactory(name="Đơn vị đã giải thể", is_active=False)
    procedure = ProcedureFactory(slug="thu-tuc-moi")
    procedure.units.set([unit, hidden])
    # The procedure, its units with phones and hours, and the page header's home unit.
    with django_assert_max_num_queries(7):
        html = client.get("/thu-tuc/thu-tuc-moi/gioi-thieu/").content.decode()
    assert "Công an Phường Khánh Hội" in html and "188 Khánh Hội" in html
    assert 'href="tel:02838264108"' in html
    assert "07:30–11:30" in html
    assert "Đơn vị đã giải thể" not in html


@pytest.mark.django_db
def test_book_button_appears_only_when_a_journey_serves_the_procedure(client, settings):
    """A catalogue entry without an online journey tells the citizen to come in instead of offering a dead link."""
    ProcedureFactory(slug="chua-truc-tuyen")
    html = client.get("/thu-tuc/chua-truc-tuyen/gioi-thieu/").content.decode()
    assert 'href="/thu-tuc/chua-truc-tuyen/"' not in html
    assert "chưa thể đặt lịch trực tuyến" in html


@pytest.mark.django_db
def test_inactive_and_unknown_procedures_are_404(client):
    ProcedureFactory(slug="tam-ngung", is_active=False)
    assert client.get("/thu-tuc/tam-ngung/gioi-thieu/").status_code == 404
    response = client.get("/thu-tuc/khong-co/gioi-thieu/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.django_db
def test_identity_card_is_an_ordinary_catalogue_entry(client, demo_data):
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    assert procedure.get_absolute_url() == "/thu-tuc/cap-cccd/gioi-thieu/"
    assert procedure.start_path == "/thu-tuc/cap-cccd/"
    assert reverse("procedures:detail", kwargs={"slug": "cap-cccd"}) == "/thu-tuc/cap-cccd/gioi-thieu/"


@pytest.mark.django_db
def test_empty_catalogue_says_what_to_do(client):
    html = client.get("/en/thu-tuc/").content.decode()
    assert "No procedure can be booked online at the moment" in html
