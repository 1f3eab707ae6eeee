"""Officers change the schedule in admin: list, edit, and a period that ends before it starts is refused."""

from datetime import date

import pytest
from django.urls import reverse

from apps.fees.models import FeeReduction
from apps.fees.selectors import fee_quote

pytestmark = pytest.mark.django_db


def test_admin_lists_the_schedule_and_edits_the_reduction(admin_client):
    html = admin_client.get(reverse("admin:fees_feerule_changelist")).content.decode()
    assert "cccd_to_card" in html and "nationality_regained" in html
    reduction = FeeReduction.objects.get(procedure_slug="cap-cccd", percent=50)
    url = reverse("admin:fees_feereduction_change", args=[reduction.pk])
    assert admin_client.get(url).status_code == 200
    form = {
        "procedure_slug": "cap-cccd",
        "percent": "50",
        "min_age": "",
        "below_age": "",
        "starts_on": "01/07/2025",
        "ends_on": "31/03/2027",
        "basis": reduction.basis,
        "basis_en": reduction.basis_en,
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fee_quote(procedure="cap-cccd", reason="lost", on=date(2027, 3, 31), age=30).amount == 35_000


def test_admin_refuses_a_period_ending_before_it_starts(admin_client):
    reduction = FeeReduction.objects.get(procedure_slug="cap-cccd", percent=50)
    url = reverse("admin:fees_feereduction_change", args=[reduction.pk])
    form = {
        "procedure_slug": "cap-cccd",
        "percent": "50",
        "starts_on": "01/07/2025",
        "ends_on": "30/06/2025",
        "basis": reduction.basis,
    }
    response = admin_client.post(url, form)
    assert response.status_code == 200
    reduction.refresh_from_db()
    assert reduction.ends_on == date(2026, 12, 31)
