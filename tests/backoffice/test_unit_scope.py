"""An officer sees and changes only their own units' records, whatever URL or id they type."""

import pytest
from django.urls import reverse

from apps.backoffice.admin_mixins import ScopedUnitFilter
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.scoping import queryset_scope_to_user, user_sees_all_units
from apps.units.models import PoliceUnit

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _transition(unit, n=0):
    from .factories import filing_event_create

    return filing_event_create(unit=unit)


def test_queryset_scope(unit_admin_a, district_admin, ward_a, ward_b, district):
    assert set(queryset_scope_to_user(PoliceUnit.objects.all(), user=unit_admin_a, unit_field="pk")) == {ward_a}
    assert set(queryset_scope_to_user(PoliceUnit.objects.all(), user=district_admin, unit_field="pk")) == {
        ward_a,
        ward_b,
        district,
    }
    assert user_sees_all_units(district_admin)
    assert not user_sees_all_units(unit_admin_a)


def test_officer_without_units_sees_nothing(role_groups, ward_a):
    from apps.backoffice import roles

    officer = OfficerFactory(roles=[roles.UNIT_ADMINISTRATOR])
    assert not queryset_scope_to_user(PoliceUnit.objects.all(), user=officer, unit_field="pk").exists()


def test_unit_list_shows_only_own_units(client, unit_admin_a, ward_a, ward_b):
    client.force_login(unit_admin_a)
    response = client.get(reverse("admin:units_policeunit_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ward_a]
    assert ward_b.name not in response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_other_units_record_is_not_found_by_url(client, unit_admin_a, ward_b, view):
    client.force_login(unit_admin_a)
    response = client.get(reverse(f"admin:units_policeunit_{view}", args=[ward_b.pk]))
    assert response.status_code == 404


def test_other_units_record_cannot_be_changed_by_post(client, unit_admin_a, ward_b):
    client.force_login(unit_admin_a)
    response = client.post(
        reverse("admin:units_policeunit_change", args=[ward_b.pk]),
        {"name": "Bị sửa", "address": "x"},
    )
    assert response.status_code == 404
    ward_b.refresh_from_db()
    assert ward_b.name == "Công an Phường 8"


def test_own_unit_can_be_changed_but_not_its_structure(client, unit_admin_a, ward_a):
    client.force_login(unit_admin_a)
    url = reverse("admin:units_policeunit_change", args=[ward_a.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "Công an Phường 1 (mới)",
        "name_en": "",
        "address": "1 Đoàn Văn Bơ",
        "email": "",
        "map_url": "",
        "ward_code": "27259",
        "area_served": "",
        "kind": "district",  # read-only for a unit administrator: ignored
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    ward_a.refresh_from_db()
    assert ward_a.name == "Công an Phường 1 (mới)"
    assert ward_a.kind == "ward"


def test_unit_administrator_cannot_add_or_delete_units(client, unit_admin_a, ward_a):
    client.force_login(unit_admin_a)
    assert client.get(reverse("admin:units_policeunit_add")).status_code == 403
    assert client.get(reverse("admin:units_policeunit_delete", args=[ward_a.pk])).status_code == 403


def test_district_administrator_opens_every_unit(client, district_admin, ward_a, ward_b):
    client.force_login(district_admin)
    response = client.get(reverse("admin:units_policeunit_changelist"))
    assert {ward_a, ward_b} <= set(response.context["cl"].result_list)
    for unit in (ward_a, ward_b):
        assert client.get(reverse("admin:units_policeunit_change", args=[unit.pk])).status_code == 200


def test_transition_history_is_scoped(client, counter_a, ward_a, ward_b):
    own, other = _transition(ward_a), _transition(ward_b)
    client.force_login(counter_a)
    response = client.get(reverse("admin:filings_filingevent_changelist"))
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:filings_filingevent_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:filings_filingevent_change", args=[other.pk])).status_code == 404


def test_unit_filter_offers_only_own_units(rf, counter_a, district_admin, ward_a, ward_b):
    from django.contrib import admin

    from apps.appointments.models import Appointment
    from apps.filings.models import Filing

    model_admin = admin.site._registry[Filing]
    field = Appointment._meta.get_field("unit")
    request = rf.get("/")
    request.user = counter_a
    choices = ScopedUnitFilter(field, request, {}, Filing, model_admin, "appointment__unit").lookup_choices
    assert [pk for pk, _label in choices] == [ward_a.pk]
    request.user = district_admin
    choices = ScopedUnitFilter(field, request, {}, Filing, model_admin, "appointment__unit").lookup_choices
    assert {ward_a.pk, ward_b.pk} <= {pk for pk, _label in choices}


@pytest.mark.parametrize("action", ["export_csv", "export_xlsx"])
def test_export_contains_only_own_units_rows_even_when_other_ids_are_posted(
    client, counter_a, ward_a, ward_b, action, django_capture_on_commit_callbacks
):
    from tests.exports.helpers import export_through_admin

    own, other = _transition(ward_a), _transition(ward_b)
    client.force_login(counter_a)
    _job, content = export_through_admin(
        client,
        django_capture_on_commit_callbacks,
        reverse("admin:filings_filingevent_changelist"),
        {"action": action, "_selected_action": [own.pk, other.pk]},
    )
    if action == "export_csv":
        text = content.decode("utf-8-sig")
        assert str(own.filing) in text
        assert str(other.filing) not in text
    else:
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(content)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        assert str(own.filing) in values
        assert str(other.filing) not in values
    export = AuditLogEntry.objects.get(action="export")
    assert export.user == counter_a
    assert export.detail.startswith(action.removeprefix("export_").upper() + ", ")
