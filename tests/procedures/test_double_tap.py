"""Issue 12.11: a double tap on "confirm" shows the filing that went through, not an error (both journeys)."""

import pytest

from apps.filings.models import Filing
from tests.declarations.test_journey import hold, walk
from tests.declarations.test_submit import CONFIRM, send_code

from .journey import book

pytestmark = pytest.mark.django_db


def test_identity_card_double_tap(client, demo_data, django_capture_on_commit_callbacks):
    walk(client)
    hold(client)
    code = send_code(client, django_capture_on_commit_callbacks)
    cookie = client.cookies["cccd_draft"].value
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(CONFIRM, {"action": "verify", "code": code})
    # The second tap was sent with the same cookies, before the first answer (which drops the cookie) arrived.
    client.cookies["cccd_draft"] = cookie
    second = client.post(CONFIRM, {"action": "verify", "code": code})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Filing.objects.count() == 1


def test_other_procedure_double_tap(client, demo_data, django_capture_on_commit_callbacks):
    done = book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    again = client.post("/thu-tuc/dang-ky-xe/xac-nhan/", {"action": "verify", "code": "123456"})
    assert again.status_code == 302
    assert again["Location"] == done.request["PATH_INFO"]
