"""Every write in the back office is in the audit log with a before/after summary, whichever admin class made it."""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.audit_writes import AuditedWritesMixin
from apps.backoffice.models import AuditLogEntry
from apps.notifications.models import Kind, MessageTemplate

from .factories import appointment_create

pytestmark = pytest.mark.django_db


def test_every_registered_admin_records_its_writes():
    missing = [type(m).__name__ for m in admin.site._registry.values() if not isinstance(m, AuditedWritesMixin)]
    assert missing == []


def _entries(action):
    return list(AuditLogEntry.objects.filter(action=action).values_list("username", "object_repr", "detail"))


def test_a_message_template_edit_records_the_text_before_and_after(admin_client, admin_user):
    template, _ = MessageTemplate.objects.update_or_create(
        kind=Kind.REPORT_RECEIVED, language="vi", defaults={"body": "Đã nhận phản ánh {reference}."}
    )
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    data = {
        "kind": template.kind,
        "language": "vi",
        "subject": template.subject,
        "body": "Đã nhận: {reference}.",
        "zns_template_id": template.zns_template_id,
    }
    assert admin_client.post(url, data).status_code == 302
    [(username, _repr, detail)] = _entries("change")
    assert username == admin_user.username
    assert detail == "body: Đã nhận phản ánh {reference}. → Đã nhận: {reference}."


def test_an_official_day_added_then_deleted_is_recorded_with_its_values(admin_client):
    add = reverse("admin:appointments_officialday_add")
    data = {
        "date": "04/01/2027",
        "kind": "day_off",
        "name": "Nghỉ bù",
        "name_en": "Bridge day",
        "hours_of_weekday": "0",
    }
    assert admin_client.post(add, data).status_code == 302
    [(_u, _r, added)] = _entries("add")
    assert "date: ∅ → 2027-01-04" in added and "name: ∅ → Nghỉ bù" in added
    from apps.appointments.models import OfficialDay

    day = OfficialDay.objects.get(date=date(2027, 1, 4))
    delete = reverse("admin:appointments_officialday_delete", args=[day.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    [(_u, _r, deleted)] = _entries("delete")
    assert "date: 2027-01-04 → ∅" in deleted and "name: Nghỉ bù → ∅" in deleted


def test_an_officers_roles_before_and_after_are_recorded(admin_client, role_groups, ward_a):
    from apps.backoffice import roles

    from .factories import OfficerFactory

    officer = OfficerFactory(username="canbo.moi", units=[ward_a], roles=[roles.NEWS_EDITOR])
    from django.contrib.auth.models import Group

    url = reverse("admin:accounts_user_change", args=[officer.pk])
    joined = timezone.localtime(officer.date_joined)
    data = {
        "username": "canbo.moi",
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name=roles.REVIEWER).pk],
        "units": [ward_a.pk],
        "date_joined_0": joined.strftime("%d/%m/%Y"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    [entry] = AuditLogEntry.objects.filter(action="change")
    assert entry.object_id == str(officer.pk)
    detail = entry.detail
    assert f"groups: {roles.NEWS_EDITOR} → {roles.REVIEWER}" in detail
    assert "password" not in detail


def test_a_cancel_action_records_each_cancelled_booking(admin_client, ward_a, django_capture_on_commit_callbacks):
    booking = appointment_create(unit=ward_a, starts_at=timezone.now() + timedelta(days=2))
    other = appointment_create(unit=ward_a, starts_at=timezone.now() + timedelta(days=2, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:appointments_appointment_changelist"),
            {"action": "cancel_selected", "_selected_action": [booking.pk], "confirm": "1", "reason": "Mất điện."},
        )
    # Once: the service records the cancellation with its reason; the admin's generic row diff stays out of it.
    entries = AuditLogEntry.objects.filter(object_id=str(booking.pk), action="change")
    assert [e.detail for e in entries] == ["Đã hủy: Mất điện."]
    assert not AuditLogEntry.objects.filter(detail__startswith="cancel_selected").exists()
    assert not AuditLogEntry.objects.filter(object_id=str(other.pk), action="change").exists()
