"""Acceptance: a sixth procedure is one form class and one catalogue entry. Without a view, template, model or
message of its own it is listed, booked, found at /tra-cuu/, shown in the counter's roster and in the officers'
review queue, counted in the statistics, and its status timeline follows the officers' actions, each one
messaged to the citizen's confirmed phone."""

import re

import pytest
from django import forms
from django.utils import timezone

from apps.backoffice import roles
from apps.backoffice.selectors import dashboard_charts, roster_list
from apps.backoffice.services import appointment_check_in, roles_setup
from apps.filings.models import Filing
from apps.notifications.models import Notification
from apps.procedures.forms import ProcedureForm, register, unregister
from apps.procedures.forms.base import IdNumberField
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit
from tests.backoffice.factories import OfficerFactory
from tests.procedures.journey import book

SLUG = "xac-nhan-thong-tin-cu-tru"


@pytest.fixture
def sixth_procedure(demo_data):
    @register(SLUG)
    class ResidenceInformationForm(ProcedureForm):
        id_number_field = "id_number"

        id_number = IdNumberField()
        purpose = forms.ChoiceField(label="Mục đích", choices=[("bank", "Ngân hàng"), ("school", "Nhập học")])

    procedure = Procedure.objects.create(
        slug=SLUG, name="Xác nhận thông tin về cư trú", name_en="Residence information", order=6
    )
    procedure.units.set(PoliceUnit.objects.filter(booking_schedule__is_active=True))
    yield procedure
    unregister(SLUG)


def _timeline(client, detail_url) -> list[str]:
    html = client.get(detail_url).content.decode()
    return re.findall(r'data-state="([a-z_]+)"', html)


@pytest.mark.django_db
def test_a_sixth_procedure_gets_lookup_review_roster_messages_and_statistics(
    client, sixth_procedure, django_capture_on_commit_callbacks
):
    assert "Xác nhận thông tin về cư trú" in client.get("/thu-tuc/").content.decode()
    data = {"holder_name": "Lê Thị Cúc", "phone": "0901234567", "id_number": "079203001234", "purpose": "bank",
            "accept_notice": "1", "accept_declaration": "1"}  # fmt: skip
    done = book(client, django_capture_on_commit_callbacks, SLUG, data)
    assert done.status_code == 200
    filing = Filing.objects.get(procedure=sixth_procedure)
    assert (filing.state, filing.answers) == ("submitted", {"id_number": "079203001234", "purpose": "bank"})
    appointment = filing.appointment
    assert appointment.reference == filing.code and appointment.procedure == sixth_procedure

    # The one lookup finds it with the code and the phone, and shows where it stands.
    response = client.post("/tra-cuu/", {"code": filing.code, "phone": "0901 234 567"})
    assert response.status_code == 302
    detail = response["Location"]
    html = client.get(detail).content.decode()
    assert "Xác nhận thông tin về cư trú" in html and "Lê Thị Cúc" in html
    assert _timeline(client, detail) == ["submitted", "received", "in_progress", "ready"]

    # The counter's roster and the review queue list it; the statistics count it.
    roles_setup()
    unit = appointment.unit
    day = timezone.localdate(appointment.starts_at)
    assert filing.code in [a.reference for a in roster_list(unit=unit, day=day)]
    reviewer = OfficerFactory(username="kiemtra.6", units=[unit], roles=[roles.UNIT_ADMINISTRATOR])
    client.force_login(reviewer)
    queue = client.get("/admin/filings/filing/", {"state__exact": "submitted"}).content.decode()
    assert filing.code in queue
    charts = {str(c.title): c for c in dashboard_charts(user=reviewer)}
    assert {b.label: b.value for b in charts["Hồ sơ theo trạng thái"].bars}["Đã nộp"] == 1

    # Officers move it: arrival at the counter, back for correction, on again, result ready.
    transition = f"/admin/filings/filing/{filing.pk}/state/"
    with django_capture_on_commit_callbacks(execute=True):
        appointment_check_in(appointment=appointment, user=reviewer, unit=unit, other_day_ok=True)
        client.post(transition, {"target": "returned", "reason": "Thiếu giấy xác nhận của chủ nhà."})
    client.logout()
    assert _timeline(client, detail) == ["submitted", "received", "returned"]
    html = client.get(detail).content.decode()
    assert 'id="correction"' in html and "Thiếu giấy xác nhận của chủ nhà." in html
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(transition, {"target": "received"})
        client.post(transition, {"target": "in_progress"})
        client.post(transition, {"target": "ready"})
    client.logout()
    assert _timeline(client, detail) == ["submitted", "received", "returned", "received", "in_progress", "ready"]

    # Each change the citizen should hear about went to the confirmed phone, with the filing's one code.
    told = Notification.objects.filter(kind="filing_status_changed").order_by("id")
    assert [m.context["status"] for m in told] == [
        "Trả lại để bổ sung, sửa đổi",
        "Đang giải quyết",
        "Đã có kết quả",
    ]
    assert {m.phone for m in told} == {"+84901234567"}
    assert {m.context["reference"] for m in told} == {f"{filing.code[:4]}-{filing.code[4:8]}-{filing.code[8:]}"}
