import pytest

from .factories import ProcedureRequestFactory


@pytest.fixture
def officer_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="officer", password="a-long-password-1")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_request_shows_its_data_with_the_form_labels(officer_client):
    request = ProcedureRequestFactory(code="K7MX3PQ9R")
    html = officer_client.get(f"/admin/procedures/procedurerequest/{request.pk}/change/").content.decode()
    assert "Số định danh cá nhân" in html and "079203001234" in html
    assert "Cấp lại: hộ chiếu đã hết hạn hoặc sắp hết hạn" in html
    assert "Du lịch" in html
    listing = officer_client.get("/admin/procedures/procedurerequest/?q=K7MX").content.decode()
    assert "K7MX3PQ9R" in listing


@pytest.mark.django_db
def test_procedure_admin_lists_the_catalogue(officer_client, demo_data):
    html = officer_client.get("/admin/procedures/procedure/").content.decode()
    assert "Cấp hộ chiếu phổ thông" in html
    assert officer_client.get("/admin/procedures/procedure/add/").status_code == 200
