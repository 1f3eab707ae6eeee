"""The catalogue's pages and the journey's procedure are cached: an officer's edit shows on the next page view."""

import pytest

from apps.procedures.models import Procedure
from apps.units.selectors import unit_home_cache_clear

from ..units.factories import PoliceUnitFactory


@pytest.fixture
def officer_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="officer", password="a-long-password-1")
    client.force_login(user)
    return client


def _main(response) -> str:
    """The page's own content (the footer names the district's unit, which a new factory unit may become)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _admin_post(client, procedure: Procedure, **changes):
    """Save the procedure through its admin change form, as an officer does."""
    data = {
        name: getattr(procedure, name)
        for name in (
            "slug",
            "name",
            "name_en",
            "order",
            "summary",
            "documents",
            "fee",
            "processing_time",
            "legal_basis",
            "summary_en",
            "documents_en",
            "fee_en",
            "processing_time_en",
            "legal_basis_en",
        )
    }
    data["units"] = [unit.pk for unit in procedure.units.all()]
    if procedure.is_active:
        data["is_active"] = "on"
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(f"/admin/procedures/procedure/{procedure.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_a_cached_catalogue_costs_no_query(client, demo_data, django_assert_num_queries):
    client.get("/thu-tuc/")
    client.get("/thu-tuc/ho-chieu/gioi-thieu/")
    with django_assert_num_queries(0):
        assert client.get("/thu-tuc/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/thu-tuc/ho-chieu/gioi-thieu/").status_code == 200


@pytest.mark.django_db
def test_the_journey_form_costs_at_most_the_session_queries_once_cached(
    client, demo_data, django_assert_max_num_queries
):
    client.get("/thu-tuc/tam-tru-nguoi-nuoc-ngoai/")
    # The draft lookup in the session only: the procedure comes from the cache.
    with django_assert_max_num_queries(1):
        assert client.get("/thu-tuc/tam-tru-nguoi-nuoc-ngoai/").status_code == 200


@pytest.mark.django_db
def test_an_edit_in_admin_shows_on_the_next_list_and_detail_view(client, officer_client, demo_data):
    procedure = Procedure.objects.get(slug="ho-chieu")
    assert "Cấp hộ chiếu phổ thông" in client.get("/thu-tuc/").content.decode()
    client.get("/en/thu-tuc/")
    client.get("/thu-tuc/ho-chieu/gioi-thieu/")

    _admin_post(
        officer_client,
        procedure,
        name="Cấp hộ chiếu (đã sửa)",
        name_en="Passport (edited)",
        documents="Tờ khai mẫu TK01 mới",
    )

    assert "Cấp hộ chiếu (đã sửa)" in client.get("/thu-tuc/").content.decode()
    assert "Passport (edited)" in client.get("/en/thu-tuc/").content.decode()
    detail = client.get("/thu-tuc/ho-chieu/gioi-thieu/").content.decode()
    assert "Cấp hộ chiếu (đã sửa)" in detail and "Tờ khai mẫu TK01 mới" in detail


@pytest.mark.django_db
def test_units_added_in_admin_or_edited_show_on_the_detail_page(client, officer_client, demo_data):
    procedure = Procedure.objects.get(slug="ho-chieu")
    new_unit = PoliceUnitFactory(name="Công an Phường Mới Lập", address="1 Đường Mới")
    assert "Công an Phường Mới Lập" not in _main(client.get("/thu-tuc/ho-chieu/gioi-thieu/"))

    _admin_post(officer_client, procedure, units=[*procedure.units.values_list("pk", flat=True), new_unit.pk])
    assert "Công an Phường Mới Lập" in _main(client.get("/thu-tuc/ho-chieu/gioi-thieu/"))

    # The units' admin announces a unit's edit (unit_home_cache_clear): the unit's new address shows.
    new_unit.address = "99 Đường Đã Đổi"
    new_unit.save()
    unit_home_cache_clear()
    assert "99 Đường Đã Đổi" in _main(client.get("/thu-tuc/ho-chieu/gioi-thieu/"))


@pytest.mark.django_db
def test_a_procedure_closed_in_admin_leaves_the_catalogue_and_its_journey(client, officer_client, demo_data):
    procedure = Procedure.objects.get(slug="dang-ky-xe")
    assert client.get("/thu-tuc/dang-ky-xe/").status_code == 200
    assert client.get("/thu-tuc/dang-ky-xe/gioi-thieu/").status_code == 200
    assert "/thu-tuc/dang-ky-xe/gioi-thieu/" in client.get("/thu-tuc/").content.decode()

    _admin_post(officer_client, procedure, is_active=None)

    assert client.get("/thu-tuc/dang-ky-xe/").status_code == 404
    assert client.get("/thu-tuc/dang-ky-xe/gioi-thieu/").status_code == 404
    assert "/thu-tuc/dang-ky-xe/gioi-thieu/" not in client.get("/thu-tuc/").content.decode()


@pytest.mark.django_db
def test_a_deleted_procedure_is_gone_from_the_cached_catalogue(client, demo_data):
    assert "/thu-tuc/dang-ky-xe/gioi-thieu/" in client.get("/thu-tuc/").content.decode()
    Procedure.objects.get(slug="dang-ky-xe").delete()
    assert "/thu-tuc/dang-ky-xe/gioi-thieu/" not in client.get("/thu-tuc/").content.decode()
