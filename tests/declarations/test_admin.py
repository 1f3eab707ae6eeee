"""Officers see identity-card filings in admin and print the CC01 items and the DC02 request."""

import pytest
from django.urls import reverse

from .factories import submitted_declaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(admin_client):
    return admin_client


def test_changelist_and_search(officer, demo_data):
    declaration = submitted_declaration()
    url = reverse("admin:filings_filing_changelist")
    html = officer.get(url, {"q": declaration.code}).content.decode()
    assert declaration.code in html and "NGUYỄN VĂN AN" in html
    assert officer.get(reverse("admin:filings_filing_change", args=[declaration.pk])).status_code == 200


def test_print_cc01_has_the_22_items(officer, demo_data):
    declaration = submitted_declaration(**{"ban-than": {"old_id_number": "023456789"}})
    html = officer.get(reverse("admin:filings_filing_cc01", args=[declaration.pk])).content.decode()
    for n in range(1, 23):
        assert f'<td class="n">{n}.</td>' in html
    for expected in (
        "NGUYỄN VĂN AN",
        "05/09/1990",
        "079090123456",
        "023456789",
        "Phường Khánh Hội",
    ):
        assert expected in html, expected
    # DC02 does not ask the CC01-era questions: the printout leaves them for the population database's data.
    assert "Kinh" not in html and "TRẦN THỊ CÚC" not in html


def test_a_filing_made_before_dc02_still_prints_its_cc01_answers(officer, demo_data):
    declaration = submitted_declaration()
    declaration.answers.update(
        ethnicity="Kinh", religion="Không", hometown="Xã Tân Hòa, Bình Chánh", occupation="Công nhân",
        mother_name="TRẦN THỊ CÚC", head_name="NGUYỄN VĂN BÌNH", head_relation="child",
    )  # fmt: skip
    declaration.save(update_fields=["answers"])
    html = officer.get(reverse("admin:filings_filing_cc01", args=[declaration.pk])).content.decode()
    for expected in ("Kinh", "Xã Tân Hòa, Bình Chánh", "Công nhân", "TRẦN THỊ CÚC", "NGUYỄN VĂN BÌNH"):
        assert expected in html, expected
    assert officer.get(reverse("admin:filings_filing_change", args=[declaration.pk])).status_code == 200


def test_print_dc02(officer, demo_data):
    declaration = submitted_declaration(**{"ban-than": {"old_id_number": "023456789"}})
    html = officer.get(reverse("admin:filings_filing_dc02", args=[declaration.pk])).content.decode()
    assert "NGUYỄN VĂN AN" in html and "079090123456" in html and "(2)" in html and "(11)" in html


def test_print_pages_need_staff(client, demo_data):
    declaration = submitted_declaration()
    response = client.get(reverse("admin:filings_filing_cc01", args=[declaration.pk]))
    assert response.status_code == 302


def test_cancelling_in_admin_goes_through_the_workflow_with_a_reason(officer, demo_data):
    declaration = submitted_declaration()
    url = reverse("admin:filings_filing_transition", args=[declaration.pk])
    officer.post(url, {"target": "cancelled", "reason": ""})
    declaration.refresh_from_db()
    assert declaration.state == "submitted"
    officer.post(url, {"target": "cancelled", "reason": "Công dân đề nghị hủy qua điện thoại."})
    declaration.refresh_from_db()
    assert declaration.state == "cancelled"
    assert declaration.events.last().reason == "Công dân đề nghị hủy qua điện thoại."


def test_officers_see_only_declarations_booked_at_their_units(client, demo_data):
    from apps.backoffice import roles
    from apps.backoffice.services import roles_setup
    from apps.units.models import PoliceUnit
    from tests.backoffice.factories import OfficerFactory

    from .factories import booked_declaration

    roles_setup()
    declaration = booked_declaration()
    own_unit = declaration.appointment.unit
    other_unit = PoliceUnit.objects.exclude(pk=own_unit.pk).filter(kind="ward").first()
    own = OfficerFactory(username="p.own", units=[own_unit], roles=[roles.REVIEWER])
    other = OfficerFactory(username="p.other", units=[other_unit], roles=[roles.REVIEWER])
    change = reverse("admin:filings_filing_change", args=[declaration.pk])
    cc01 = reverse("admin:filings_filing_cc01", args=[declaration.pk])
    client.force_login(own)
    assert client.get(change).status_code == 200
    assert client.get(cc01).status_code == 200
    html = client.get(reverse("admin:filings_filing_changelist")).content.decode()
    assert declaration.code in html and "079090123456" not in html  # card number masked in the list
    client.force_login(other)
    assert client.get(change).status_code == 404
    assert client.get(cc01).status_code == 404
    assert declaration.code not in client.get(reverse("admin:filings_filing_changelist")).content.decode()
