"""Issue 12.13: a parent books for several children from one phone in one browser session: one confirmation
covers the family's filings (no second code, no cooldown); another number still needs its own code."""

import pytest

from apps.filings.models import Filing
from apps.notifications.models import Notification
from apps.procedures.forms.registry import form_class_for
from apps.procedures.models import Procedure

from .journey import book, first_free_slot, sample_data

pytestmark = pytest.mark.django_db


def test_one_confirmation_covers_the_familys_filings(client, demo_data, django_capture_on_commit_callbacks):
    book(client, django_capture_on_commit_callbacks, "dang-ky-xe")  # the first child's: one code
    assert Notification.objects.filter(kind="otp").count() == 1
    # The second child's, seconds later, same phone: no code asked, none sent, booked.
    child = sample_data("dang-ky-xe")
    id_field = form_class_for("dang-ky-xe").id_number_field
    if id_field:
        child[id_field] = "079095000002"
    assert client.post("/thu-tuc/dang-ky-xe/", child).status_code == 302
    slot = first_free_slot(Procedure.objects.get(slug="dang-ky-xe"))
    assert client.post("/thu-tuc/dang-ky-xe/dat-lich/", {"slot": slot.value}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/thu-tuc/dang-ky-xe/xac-nhan/", {"action": "verify", "code": ""})
    assert response.status_code == 302 and "/hoan-tat/" in response["Location"]
    assert Filing.objects.filter(state="submitted").count() == 2
    assert Notification.objects.filter(kind="otp").count() == 1


def test_another_number_still_needs_its_own_code(client, demo_data, django_capture_on_commit_callbacks):
    book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    other = {**sample_data("dang-ky-xe"), "phone": "0987654321"}
    assert client.post("/thu-tuc/dang-ky-xe/", other).status_code == 302
    slot = first_free_slot(Procedure.objects.get(slug="dang-ky-xe"))
    assert client.post("/thu-tuc/dang-ky-xe/dat-lich/", {"slot": slot.value}).status_code == 302
    response = client.post("/thu-tuc/dang-ky-xe/xac-nhan/", {"action": "verify", "code": ""}, follow=True)
    assert 'name="code"' in response.content.decode()  # the code form again
    assert Filing.objects.filter(state="submitted").count() == 1
