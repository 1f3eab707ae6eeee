"""A procedure without a registered form has no online journey (the acceptance test of a procedure added by one
form class and one catalogue entry is tests/filings/test_sixth_procedure.py)."""

import pytest

from apps.procedures.models import Procedure


@pytest.mark.django_db
def test_after_unregistering_the_journey_is_gone(client, demo_data):
    Procedure.objects.create(slug="chua-co-mau", name="Chưa có mẫu")
    assert client.get("/thu-tuc/chua-co-mau/").status_code == 404
