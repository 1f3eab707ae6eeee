import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.backoffice.models import AuditAction, AuditLogEntry
from apps.backoffice.services import audit_record
from apps.units.models import PoliceUnit

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_officer_record_and_unit(counter_a, ward_a):
    entry = audit_record(user=counter_a, action=AuditAction.VIEW, obj=ward_a, detail="từ danh sách")
    assert entry.user == counter_a
    assert entry.username == counter_a.username
    assert entry.content_type == ContentType.objects.get_for_model(PoliceUnit)
    assert entry.object_id == str(ward_a.pk)
    assert entry.object_repr == str(ward_a)
    assert entry.unit == ward_a
    assert entry.detail == "từ danh sách"
    assert entry.at is not None


def test_audit_record_survives_the_officers_deletion(counter_a, ward_a):
    entry = audit_record(user=counter_a, action=AuditAction.VIEW, obj=ward_a)
    counter_a.delete()
    entry.refresh_from_db()
    assert entry.user is None
    assert entry.username == "quay.p1"


def test_audit_record_refuses_an_unknown_action(counter_a):
    with pytest.raises(ValueError, match="not a valid AuditAction"):
        audit_record(user=counter_a, action="peek")


def test_opening_a_record_page_is_recorded(client, unit_admin_a, ward_a):
    client.force_login(unit_admin_a)
    client.get(reverse("admin:units_policeunit_change", args=[ward_a.pk]))
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.user, entry.object_id) == ("view", unit_admin_a, str(ward_a.pk))


def test_a_refused_page_is_not_recorded_as_seen(client, unit_admin_a, ward_b):
    client.force_login(unit_admin_a)
    assert client.get(reverse("admin:units_policeunit_change", args=[ward_b.pk])).status_code == 404
    assert not AuditLogEntry.objects.exists()


def test_a_change_is_recorded_with_the_changed_fields(client, district_admin, ward_a):
    client.force_login(district_admin)
    data = {
        "kind": "ward",
        "name": ward_a.name,
        "name_en": "Ward 1 Police",
        "slug": ward_a.slug,
        "parent": ward_a.parent_id,
        "order": 0,
        "is_active": "on",
        "address": ward_a.address,
        "email": "",
        "map_url": "",
        "ward_code": "",
        "area_served": "",
        "receives_id_applications": "on",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:units_policeunit_change", args=[ward_a.pk]), data)
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="change")
    assert entry.user == district_admin
    assert entry.object_id == str(ward_a.pk)
    assert entry.detail  # e.g. "Đã thay đổi Tên tiếng Anh."


def test_deletions_are_recorded(client, district_admin, district):
    from tests.units.factories import WardUnitFactory

    doomed = WardUnitFactory(parent=district, name="Đơn vị giải thể")
    client.force_login(district_admin)
    response = client.post(reverse("admin:units_policeunit_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="delete")
    assert entry.object_repr == "Đơn vị giải thể"


def test_audit_log_is_for_district_administrators_only(client, unit_admin_a, district_admin, ward_a):
    entry = audit_record(user=unit_admin_a, action=AuditAction.VIEW, obj=ward_a)
    # Even an officer given the permission to view the log by hand does not see it without the district role.
    from django.contrib.auth.models import Permission

    unit_admin_a.user_permissions.add(Permission.objects.get(codename="view_auditlogentry"))
    client.force_login(unit_admin_a)
    assert client.get(reverse("admin:backoffice_auditlogentry_changelist")).status_code == 403
    assert client.get(reverse("admin:backoffice_auditlogentry_change", args=[entry.pk])).status_code == 403
    assert "auditlogentry" not in client.get(reverse("admin:index")).content.decode()

    client.force_login(district_admin)
    response = client.get(reverse("admin:backoffice_auditlogentry_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [entry]


def test_audit_log_cannot_be_edited_even_by_a_superuser(client, ward_a):
    superuser = OfficerFactory(is_superuser=True)
    entry = audit_record(user=superuser, action=AuditAction.VIEW, obj=ward_a)
    client.force_login(superuser)
    assert client.get(reverse("admin:backoffice_auditlogentry_add")).status_code == 403
    response = client.post(reverse("admin:backoffice_auditlogentry_change", args=[entry.pk]), {"detail": "sửa"})
    assert response.status_code == 403
    delete_url = reverse("admin:backoffice_auditlogentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:backoffice_auditlogentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.detail == ""
    # Reading it is possible and not itself an edit.
    assert client.get(reverse("admin:backoffice_auditlogentry_change", args=[entry.pk])).status_code == 200
