"""The report form's page: its fields are built in Python (no template per field or option), so check the markup
citizens and screen readers rely on, and that the page stays cheap in queries."""

import pytest

from apps.units.selectors import unit_home_cache_clear
from tests.units.factories import WardUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return WardUnitFactory(name="Công an Phường 9, Quận 4")


def test_the_form_costs_no_query_once_cached_and_labels_every_field(client, ward, django_assert_num_queries):
    client.get("/phan-anh/")
    # The header's unit and the wards' options are cached.
    with django_assert_num_queries(0):
        html = client.get("/phan-anh/").content.decode()
    assert '<legend class="form-label fs-6 fw-semibold">Nội dung phản ánh</legend>' in html
    assert 'id="id_category_0"' in html and '<label class="form-check-label" for="id_category_0">' in html
    assert '<label class="form-label fw-semibold" for="id_unit">' in html
    assert f'<option value="{ward.pk}">Công an Phường 9, Quận 4</option>' in html
    assert '<label class="form-check-label" for="id_is_anonymous">' in html
    assert 'aria-describedby="id_contact_phone_helptext"' in html and 'id="id_contact_phone_helptext"' in html


def test_errors_stand_under_their_fields_and_what_was_chosen_stays(client, ward):
    response = client.post(
        "/phan-anh/",
        {"category": "security", "description": "ngắn", "unit": ward.pk, "contact_phone": "0912 345 678"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<div class="mb-3 has-error">' in html
    assert '<div class="invalid-feedback d-block" id="id_description_error_1">' in html
    assert 'aria-invalid="true"' in html
    assert f'<option value="{ward.pk}" selected>' in html
    assert 'value="security" class="form-check-input" id="id_category_1" required checked' in html


def test_a_ward_added_by_officers_is_offered_on_the_next_view(client, ward):
    client.get("/phan-anh/")
    new = WardUnitFactory(name="Công an Phường Mới")
    unit_home_cache_clear()  # what the units' admin does after every edit
    assert f'<option value="{new.pk}">Công an Phường Mới</option>' in client.get("/phan-anh/").content.decode()
