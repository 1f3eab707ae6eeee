"""Citizens' data requests: find, export, erase; an erasure leaves no trace of the card number or the phone in
any table except the audit entry of the erasure (and the request log, which keeps it masked)."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from apps.backoffice import roles
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.services import audit_record
from apps.notifications.models import Notification, OtpChallenge
from apps.privacy.models import SubjectRequest
from apps.reports.models import Report
from tests.backoffice.factories import OfficerFactory, appointment_create, declaration_create
from tests.filings.factories import filing_make
from tests.notifications.factories import NotificationFactory
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db

CARD = "079190123456"
PHONE = "+84912000111"
OTHER_CARD, OTHER_PHONE = "079090654321", "+84988000222"


@pytest.fixture
def person(role_groups, ward_a):
    booking = appointment_create(
        unit=ward_a, starts_at=timezone.now() + timedelta(days=3), name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE
    )
    declaration = declaration_create(appointment=booking, name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE)
    filing = filing_make(holder_name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE, answers={"id_number": CARD})
    NotificationFactory(phone=PHONE, context={"name": "LÊ THỊ XUYẾN", "code": declaration.code})
    OtpChallenge.objects.create(phone=PHONE, purpose="x", code_hash="h", expires_at=timezone.now())
    ReportFactory(unit=ward_a, contact_name="Lê Thị Xuyến", contact_phone=PHONE)
    officer = OfficerFactory(username="kiemtra", units=[ward_a], roles=[roles.REVIEWER])
    audit_record(user=officer, action="view", obj=declaration)
    audit_record(user=officer, action="change", obj=filing, detail=f"id_number: 079190000000 → {CARD}")
    # Someone else, who must be left alone.
    other = appointment_create(
        unit=ward_a, starts_at=timezone.now() + timedelta(days=4), id_number=OTHER_CARD, phone=OTHER_PHONE
    )
    declaration_create(appointment=other, name="TRẦN VĂN KHÁC", id_number=OTHER_CARD, phone=OTHER_PHONE)
    ReportFactory(unit=ward_a, contact_phone=OTHER_PHONE)
    return declaration


@pytest.fixture
def dpo(role_groups, district):
    return OfficerFactory(username="baove.dulieu", units=[district], roles=[roles.DATA_PROTECTION_OFFICER])


def _rows_mentioning(needle: str) -> dict[str, int]:
    """Every table and text-like column in the project holding `needle`."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            count = (
                model._default_manager.annotate(_t=Cast(field.name, models.TextField()))
                .filter(_t__contains=needle)
                .count()
            )
            if count:
                found[f"{model._meta.label}.{field.name}"] = count
    return found


def test_only_the_dedicated_role_opens_the_page(client, person, dpo):
    url = reverse("privacy:subject-requests")
    client.force_login(OfficerFactory(username="quantri", roles=[roles.DISTRICT_ADMINISTRATOR]))
    assert client.get(url).status_code == 403
    client.force_login(dpo)
    assert client.get(url).status_code == 200


def test_find_lists_everything_and_records_who_and_why(client, person, dpo):
    client.force_login(dpo)
    response = client.post(
        reverse("privacy:subject-requests"), {"query": "0912 000 111", "reason": "Đơn ngày 1/12", "action": "find"}
    )
    html = response.content.decode()
    for label in ("filings.Filing", "appointments.Appointment", "reports.Report"):
        assert label in html
    request = SubjectRequest.objects.get()
    assert (request.officer, request.action, request.subject, request.reason) == (
        dpo,
        "find",
        "•••••••111",
        "Đơn ngày 1/12",
    )
    assert request.counts["notifications.Notification"] == 1
    assert request.counts["appointments.Appointment"] == 1


def test_export_is_a_json_file_of_the_persons_records_only(client, person, dpo):
    client.force_login(dpo)
    response = client.post(
        reverse("privacy:subject-requests"), {"query": CARD, "reason": "Yêu cầu cung cấp dữ liệu", "action": "export"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-ca-nhan.json"'
    document = json.loads(response.content)
    assert set(document) == {"filings.Filing", "appointments.Appointment"}
    assert OTHER_CARD not in response.content.decode()
    assert AuditLogEntry.objects.filter(action="export", username="baove.dulieu").count() == 1


def test_erasure_leaves_no_trace_of_the_card_number_or_phone(client, person, dpo, django_capture_on_commit_callbacks):
    assert _rows_mentioning(CARD)  # the scan finds them before
    client.force_login(dpo)
    url = reverse("privacy:subject-requests")
    refused = client.post(url, {"query": CARD, "reason": "Yêu cầu xóa", "action": "erase"})
    assert "Đánh dấu vào ô" in refused.content.decode()  # nothing erased without the confirmation
    assert _rows_mentioning(CARD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"query": CARD, "reason": "Yêu cầu xóa số 12", "action": "erase", "confirm_erase": "on"})
        client.post(url, {"query": PHONE, "reason": "Yêu cầu xóa số 12", "action": "erase", "confirm_erase": "on"})
    assert _rows_mentioning(CARD) == {}
    assert _rows_mentioning(PHONE) == {}
    assert _rows_mentioning("LÊ THỊ XUYẾN") == {}
    erasures = AuditLogEntry.objects.filter(action="delete", username="baove.dulieu")
    assert [e.detail for e in erasures] == ["Yêu cầu xóa số 12", "Yêu cầu xóa số 12"]
    # The other citizen is untouched.
    assert _rows_mentioning(OTHER_CARD)
    assert Report.objects.filter(contact_phone=OTHER_PHONE).count() == 1
    assert not Notification.objects.filter(phone=PHONE).exists()
