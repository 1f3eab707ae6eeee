"""Issue 12.1: messages go only to confirmed numbers. Hold a time with phone X, go back, change the phone to Y,
confirm Y, submit: the booking's phone is Y, and nothing but the code itself was ever sent to an unconfirmed
number."""

import re

import pytest

from apps.filings.models import Filing
from apps.notifications.models import Notification

from .factories import contact_data
from .test_journey import hold, post, walk
from .test_submit import CONFIRM, send_code

pytestmark = pytest.mark.django_db


def test_the_booking_keeps_the_confirmed_phone_not_the_one_the_time_was_held_with(
    client, demo_data, django_capture_on_commit_callbacks
):
    before = set(Notification.objects.values_list("pk", flat=True))  # the demo data's own bookings
    walk(client)  # phone X = 0912 345 678
    hold(client)
    # Back to the contact step: the phone becomes Y.
    response = post(client, "lien-he", contact_data(phone="0987 654 321"), action="next")
    assert response.status_code == 302
    code = send_code(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM, {"action": "verify", "code": code})
    assert response.status_code == 302 and "/hoan-tat/" in response["Location"]
    declaration = Filing.objects.get()
    assert declaration.appointment.phone == "+84987654321"
    assert str(declaration.phone) == "+84987654321"
    ours = Notification.objects.exclude(pk__in=before)
    assert sorted(ours.values_list("kind", "phone")) == [
        ("filing_confirmed", "+84987654321"),
        ("otp", "+84987654321"),
    ]
    assert re.match(r"^/thu-tuc/cap-cccd/hoan-tat/", response["Location"])
