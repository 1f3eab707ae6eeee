import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.backoffice.models import AuditLogEntry, StateTransition
from apps.backoffice.services import state_transition_apply

from . import workflow_site
from .workflow_site import TOY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reset_notified():
    workflow_site.NOTIFIED.clear()


@pytest.fixture
def record(ward_a):
    ward_a.ward_code = "submitted"
    ward_a.save()
    return ward_a


def test_allowed_transition_records_who_when_why_and_notifies(unit_admin_a, record):
    entry = state_transition_apply(workflow=TOY, obj=record, target="rejected", user=unit_admin_a, reason="Ảnh mờ")
    record.refresh_from_db()
    assert record.ward_code == "rejected"
    assert (entry.source, entry.target, entry.reason, entry.user) == ("submitted", "rejected", "Ảnh mờ", unit_admin_a)
    assert entry.unit == record
    assert entry.at is not None
    assert [(record.pk, "rejected", "Ảnh mờ")] == workflow_site.NOTIFIED
    assert AuditLogEntry.objects.filter(action="transition", object_id=str(record.pk)).exists()


def test_transition_without_notification(unit_admin_a, record):
    state_transition_apply(workflow=TOY, obj=record, target="checked", user=unit_admin_a)
    state_transition_apply(workflow=TOY, obj=record, target="attended", user=unit_admin_a)
    assert record.ward_code == "attended"
    assert [(record.pk, "checked", "")] == workflow_site.NOTIFIED
    assert list(StateTransition.objects.order_by("id").values_list("source", "target")) == [
        ("submitted", "checked"),
        ("checked", "attended"),
    ]


@pytest.mark.parametrize("target", ["attended", "submitted", "nonsense"])
def test_transitions_not_in_the_workflow_are_refused(unit_admin_a, record, target):
    with pytest.raises(ValidationError) as error:
        state_transition_apply(workflow=TOY, obj=record, target=target, user=unit_admin_a)
    assert error.value.code == "invalid_transition"
    record.refresh_from_db()
    assert record.ward_code == "submitted"
    assert not StateTransition.objects.exists()


def test_a_reason_is_required_where_the_workflow_says_so(unit_admin_a, record):
    with pytest.raises(ValidationError) as error:
        state_transition_apply(workflow=TOY, obj=record, target="rejected", user=unit_admin_a, reason="  ")
    assert "reason" in error.value.error_dict


def test_another_units_record_cannot_be_moved(unit_admin_a, ward_b):
    ward_b.ward_code = "submitted"
    ward_b.save()
    with pytest.raises(PermissionDenied):
        state_transition_apply(workflow=TOY, obj=ward_b, target="checked", user=unit_admin_a)


def test_reading_the_state_from_the_database_not_the_callers_copy(unit_admin_a, record):
    stale = type(record).objects.get(pk=record.pk)
    state_transition_apply(workflow=TOY, obj=record, target="checked", user=unit_admin_a)
    state_transition_apply(workflow=TOY, obj=record, target="attended", user=unit_admin_a)
    # An officer on an old page asking "submitted -> checked" again is refused: it is "attended" now.
    with pytest.raises(ValidationError):
        state_transition_apply(workflow=TOY, obj=stale, target="checked", user=unit_admin_a)


@pytest.mark.urls("tests.backoffice.workflow_site")
class TestAdmin:
    def test_state_is_read_only_in_the_form(self, client, unit_admin_a, record):
        client.force_login(unit_admin_a)
        url = reverse("toyadmin:units_policeunit_change", args=[record.pk])
        response = client.get(url)
        assert "ward_code" not in response.context["adminform"].form.fields
        # The allowed moves are offered as links, the others are not.
        page = response.content.decode()
        assert "?target=checked" in page
        assert "?target=attended" not in page
        client.post(url, {"name": record.name, "ward_code": "attended"})
        record.refresh_from_db()
        assert record.ward_code == "submitted"

    def test_transition_page_applies_an_allowed_move(self, client, unit_admin_a, record):
        client.force_login(unit_admin_a)
        url = reverse("toyadmin:units_policeunit_transition", args=[record.pk])
        response = client.get(url + "?target=checked")
        assert response.status_code == 200
        response = client.post(url, {"target": "checked"})
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.ward_code == "checked"

    def test_transition_page_refuses_a_forged_move_and_keeps_the_reason(self, client, unit_admin_a, record):
        client.force_login(unit_admin_a)
        url = reverse("toyadmin:units_policeunit_transition", args=[record.pk])
        response = client.post(url, {"target": "attended"})
        assert response.status_code == 200
        assert response.context["form"].errors["target"]
        response = client.post(url, {"target": "rejected", "reason": ""})
        assert response.context["form"].errors["reason"]
        record.refresh_from_db()
        assert record.ward_code == "submitted"

    def test_transition_page_of_another_unit_is_not_found(self, client, unit_admin_a, ward_b):
        client.force_login(unit_admin_a)
        url = reverse("toyadmin:units_policeunit_transition", args=[ward_b.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"target": "checked"}).status_code == 404
