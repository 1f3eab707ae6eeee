"""Issue 12.7: the done page, slip, QR and .ics of both journeys are never cached (Cache-Control: no-store) and
stop working some days after the appointment."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.filings.tokens import receipt_token
from tests.declarations.factories import booked_declaration

from .journey import book

pytestmark = pytest.mark.django_db


def _files(done_url: str, html: str) -> list[str]:
    found = re.findall(r'href="([^"]+\.(?:png|ics))"', html)
    return [done_url, *found]


def _check(client, urls: list[str], starts_at, settings):
    settings.RECEIPT_LINK_DAYS_AFTER_VISIT = 7
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    with time_machine.travel(starts_at + timedelta(days=6), tick=False):
        assert client.get(urls[0]).status_code == 200
    with time_machine.travel(starts_at + timedelta(days=7, minutes=1), tick=False):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 410, url
            assert "no-store" in response["Cache-Control"]
        assert "/tra-cuu/" in client.get(urls[0]).content.decode()


def test_identity_card_receipt_links(client, demo_data, settings):
    declaration = booked_declaration()
    done_url = f"/thu-tuc/cap-cccd/hoan-tat/{receipt_token(declaration.code)}/"
    html = client.get(done_url).content.decode()
    urls = _files(done_url, html) + [done_url + "phieu/"]
    assert any(u.endswith(".ics") for u in urls) and any(u.endswith("phieu.png") for u in urls)
    _check(client, urls, timezone.localtime(declaration.appointment.starts_at), settings)


def test_other_procedures_receipt_links(client, demo_data, settings, django_capture_on_commit_callbacks):
    from apps.filings.models import Filing

    response = book(client, django_capture_on_commit_callbacks, "dang-ky-xe")
    done_url = response.request["PATH_INFO"]
    urls = _files(done_url, response.content.decode())
    assert any(u.endswith(".ics") for u in urls)
    starts_at = Filing.objects.get().appointment.starts_at
    _check(client, urls, starts_at, settings)
