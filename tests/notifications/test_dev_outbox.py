import re

import pytest

pytestmark = pytest.mark.django_db


def test_outbox_page_shows_messages_with_debug_on(
    client, settings, send_confirmation, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        send_confirmation()
    response = client.get("/dev/outbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "+84912345678" in html and "K7MX-3PQ9-R" in html


def test_outbox_page_does_not_exist_without_debug(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
