"""The 2023 Identity Law's online-only path: a child under 6 gives no biometrics, so the representative files and
nobody visits. From 6 the journey books a visit as before. The clock is pinned (ages are counted to the day)."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.appointments.models import AppointmentStatus
from apps.declarations.idnumbers import id_number_build
from apps.filings.models import Draft, Filing
from apps.filings.tokens import receipt_token
from apps.notifications.models import Notification

from .factories import free_slot
from .test_journey import hold, walk
from .test_submit import CONFIRM, send_code

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
PICKER = 'id="slot-picker"'


def child(birth: str, year: int) -> dict:
    return {
        "": {"reason": "first_card", "applicant": "child"},
        "ban-than": {
            "full_name": "Nguyễn Minh Khang",
            "birth_date": birth,
            "id_number": id_number_build(province_code="079", birth_year=year, sex="M", serial=222333),
            "rep_name": "Nguyễn Văn An",
            "rep_birth_date": "05/09/1990",
            "rep_sex": "M",
            "rep_id": id_number_build(province_code="079", birth_year=1990, sex="M", serial=123456),
            "rep_relation": "Cha",
        },
    }


UNDER_6 = child("05/01/2021", 2021)  # 5 on 4/1/2027, 6 tomorrow
JUST_6 = child("04/01/2021", 2021)  # 6 today: comes with the representative


@time_machine.travel(NOW, tick=False)
def test_a_child_under_6_is_filed_online_without_a_visit(client, demo_data, django_capture_on_commit_callbacks):
    walk(client, **UNDER_6)
    html = client.get(reverse("declarations:appointment")).content.decode()
    assert PICKER not in html and 'action="/thu-tuc/cap-cccd/lich-hen/"' in html
    response = client.post(reverse("declarations:appointment"))
    assert response["Location"] == reverse("declarations:check")
    assert client.get(reverse("declarations:check")).status_code == 200
    code = send_code(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"action": "verify", "code": code})
    declaration = Filing.objects.get()
    assert response["Location"] == reverse("declarations:done", args=[receipt_token(declaration.code)])
    assert declaration.appointment is None and declaration.holder_name == "NGUYỄN MINH KHANG"
    message = Notification.objects.get(kind="filing_status_changed")
    assert message.phone == "+84912345678"
    # The one status message of every filing (filing_notify_state), pointing at this filing's done page.
    assert message.context["reference"] == f"{declaration.code[:4]}-{declaration.code[4:8]}-{declaration.code[8:]}"
    assert message.context["url"].endswith(reverse("declarations:done", args=[receipt_token(declaration.code)]))
    assert not Notification.objects.filter(kind="filing_confirmed").exists()
    html = client.get(response["Location"]).content.decode()
    assert "lich-hen.ics" not in html


@time_machine.travel(NOW, tick=False)
def test_a_place_held_before_the_age_was_corrected_is_released(client, demo_data, django_capture_on_commit_callbacks):
    walk(client, **JUST_6)
    hold(client)
    held = Draft.objects.get().hold
    # The parent corrects the date of birth: the child is 5, so no visit is needed after all.
    client.post("/thu-tuc/cap-cccd/ban-than/", {**_about(UNDER_6), "action": "next"})
    code = send_code(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CONFIRM, {"action": "verify", "code": code})
    assert Filing.objects.get().appointment is None
    held.refresh_from_db()
    assert held.status == AppointmentStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_from_6_the_child_comes_to_the_counter(client, demo_data):
    walk(client, **JUST_6)
    assert PICKER in client.get(reverse("declarations:appointment")).content.decode()
    response = client.get(reverse("declarations:check"))
    assert response["Location"] == reverse("declarations:appointment")  # a time must be chosen first
    response = client.get(CONFIRM)
    assert response["Location"] == reverse("declarations:appointment")
    hold(client, free_slot())
    assert client.get(reverse("declarations:check")).status_code == 200


def _about(per_step: dict) -> dict:
    from .factories import about_data

    return about_data(**per_step["ban-than"])
