"""Journey pages stay within the page-weight budget and reference nothing outside the portal."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from apps.filings.tokens import receipt_token

from .factories import STEP_DATA, booked_declaration, submitted_declaration

pytestmark = pytest.mark.django_db

FIRST_LOAD_BUDGET = 40 * 1024
REPEAT_VISIT_BUDGET = 10 * 1024
STEPS = ["/thu-tuc/cap-cccd/" + (f"{slug}/" if slug else "") for slug in STEP_DATA]


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def weigh(client, path: str) -> tuple[int, int]:
    """(first load, repeat visit): HTML + every static file and image it references, gzip-compressed.

    Images served by the portal (QR code) are not cacheable for long, so they count on a repeat visit too.
    """
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content
    statics = dynamic = 0
    for url in re.findall(rb'(?:href|src)="([^"]+)"', html):
        url = url.decode()
        if url.startswith("/static/"):
            found = finders.find(url.removeprefix("/static/"))
            assert found, url
            with open(found, "rb") as f:
                statics += _gz(f.read())
        elif url.endswith((".png", ".svg")) and re.search(rf'<img[^>]+src="{re.escape(url)}"', html.decode()):
            dynamic += _gz(client.get(url).content)
    return _gz(html) + statics + dynamic, _gz(html) + dynamic


def assert_same_origin(html: str) -> None:
    for url in re.findall(r'(?:href|src|action)="([^"]*)"', html):
        assert not url.startswith(("//", "http:", "https:")) or url.startswith("http://testserver/"), url


@pytest.mark.parametrize("path", [*STEPS, "/thu-tuc/cap-cccd/lich-hen/", "/tra-cuu/"])
def test_journey_pages_weight_and_origin(client, demo_data, path):
    first, repeat = weigh(client, path)
    assert first <= FIRST_LOAD_BUDGET, f"{path}: first load {first} B"
    assert repeat <= REPEAT_VISIT_BUDGET, f"{path}: repeat visit {repeat} B"
    assert_same_origin(client.get(path).content.decode())


def test_done_and_slip_pages_weight(client, demo_data):
    declaration = submitted_declaration()
    token = receipt_token(declaration.code)
    for path in (f"/thu-tuc/cap-cccd/hoan-tat/{token}/", f"/thu-tuc/cap-cccd/hoan-tat/{token}/phieu/"):
        first, repeat = weigh(client, path)
        assert first <= FIRST_LOAD_BUDGET, f"{path}: first load {first} B"
        assert repeat <= REPEAT_VISIT_BUDGET, f"{path}: repeat visit {repeat} B"
        assert_same_origin(client.get(path).content.decode())


def test_check_confirm_and_lookup_pages_weight(client, demo_data):
    from django.urls import reverse

    from .test_journey import hold, walk

    walk(client)
    hold(client)
    declaration = booked_declaration()
    detail = client.post("/tra-cuu/", {"code": declaration.code, "phone": "0912345678"})["Location"]
    for path in (reverse("declarations:check"), reverse("declarations:confirm"), detail, detail + "doi-lich/"):
        first, repeat = weigh(client, path)
        assert first <= FIRST_LOAD_BUDGET, f"{path}: first load {first} B"
        assert repeat <= REPEAT_VISIT_BUDGET, f"{path}: repeat visit {repeat} B"
        assert_same_origin(client.get(path).content.decode())
