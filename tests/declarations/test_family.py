"""Issue 12.13, identity card: a parent files for several children from one phone in one browser session: the
first filing's confirmation covers the next (no second code, so neither the 60-second cooldown nor the per-phone
hourly cap of codes is met); the limits still hold against abuse (another number, another browser, later)."""

import pytest
import time_machine
from django.utils import timezone

from apps.declarations.idnumbers import id_number_build
from apps.filings.models import Filing
from apps.notifications.models import Notification

from .factories import free_slot
from .test_journey import hold, walk
from .test_submit import CONFIRM, send_code

pytestmark = pytest.mark.django_db
CHILD_ID = id_number_build(province_code="079", birth_year=1990, sex="M", serial=123457)


def first_filing(client, capture):
    walk(client)
    hold(client)
    code = send_code(client, capture)
    with capture(execute=True):
        assert client.post(CONFIRM, {"action": "verify", "code": code}).status_code == 302
    assert Notification.objects.filter(kind="otp").count() == 1


def second_child(client, phone="0912 345 678"):
    walk(client, **{"ban-than": {"id_number": CHILD_ID, "full_name": "Nguyễn Văn Bảo"}, "lien-he": {"phone": phone}})
    hold(client, free_slot(skip=1))


def test_one_confirmation_covers_the_next_childs_declaration(client, demo_data, django_capture_on_commit_callbacks):
    first_filing(client, django_capture_on_commit_callbacks)
    second_child(client)
    html = client.get(CONFIRM).content.decode()
    assert 'value="submit"' in html and 'name="pledge"' in html  # no code asked; the statement is still ticked
    assert client.post(CONFIRM, {"action": "submit"}).status_code in (200, 302)
    assert Filing.objects.count() == 1  # not without the statement
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"action": "submit", "pledge": "1"})
    assert response.status_code == 302 and "/hoan-tat/" in response["Location"]
    assert sorted(Filing.objects.values_list("id_number", flat=True)) == sorted(["079090123456", CHILD_ID])
    assert Notification.objects.filter(kind="otp").count() == 1  # one code for the family


def test_another_number_still_needs_its_code(client, demo_data, django_capture_on_commit_callbacks):
    first_filing(client, django_capture_on_commit_callbacks)
    second_child(client, phone="0987 654 321")
    html = client.get(CONFIRM).content.decode()
    assert 'value="send"' in html and 'value="submit"' not in html
    client.post(CONFIRM, {"action": "submit", "pledge": "1"})
    assert Filing.objects.count() == 1


def test_another_browser_still_needs_its_code(client, demo_data, django_capture_on_commit_callbacks):
    from django.test import Client

    first_filing(client, django_capture_on_commit_callbacks)
    other = Client()
    second_child(other)
    assert 'value="submit"' not in other.get(CONFIRM).content.decode()
    other.post(CONFIRM, {"action": "submit", "pledge": "1"})
    assert Filing.objects.count() == 1


def test_the_confirmation_covers_the_family_for_30_minutes_only(client, demo_data, django_capture_on_commit_callbacks):
    first_filing(client, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=31), tick=False):
        second_child(client)
        assert 'value="submit"' not in client.get(CONFIRM).content.decode()
        client.post(CONFIRM, {"action": "submit", "pledge": "1"})
    assert Filing.objects.count() == 1


def test_a_parent_books_for_themselves_and_five_children_from_one_phone(
    client, demo_data, django_capture_on_commit_callbacks
):
    """The per-phone cap of upcoming bookings leaves room for a family (six), and still stops the seventh."""
    from django.urls import reverse

    from .factories import picker_post

    first_filing(client, django_capture_on_commit_callbacks)

    def next_child(n):
        child = id_number_build(province_code="079", birth_year=1990, sex="M", serial=200000 + n)
        walk(client, **{"ban-than": {"id_number": child, "full_name": "Nguyễn Văn Bảo"}})

    for n in range(1, 6):
        next_child(n)
        hold(client, free_slot(skip=n))
        with django_capture_on_commit_callbacks(execute=True):
            assert "/hoan-tat/" in client.post(CONFIRM, {"action": "submit", "pledge": "1"})["Location"]
    assert Filing.objects.count() == 6
    assert Notification.objects.filter(kind="otp").count() == 1  # one code for the whole family
    next_child(6)
    response = client.post(reverse("declarations:appointment"), picker_post(free_slot(skip=6)), follow=True)
    assert "6 lịch hẹn" in response.content.decode()  # the cap's message, with the phone's count
    assert Filing.objects.count() == 6
