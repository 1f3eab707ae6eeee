"""Citizen pages stay light for cheap phones on slow networks.

First load: the HTML and every stylesheet, script, font and image it references, compressed as served (gzip),
at most 40 KB. Repeat visit: static files are hashed and cached for a year by WhiteNoise, so only the HTML is
fetched again: at most 10 KB.
"""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

FIRST_LOAD_BUDGET = 40 * 1024
REPEAT_VISIT_BUDGET = 10 * 1024
PAGES = ["/", "/en/", "/lien-he/"]


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def page_weight(client, path: str) -> tuple[int, int]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content
    assets = 0
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        found = finders.find(url.decode().removeprefix("/static/"))
        assert found, f"{url} is not a static file"
        with open(found, "rb") as f:
            assets += _gz(f.read())
    for data_uri in re.findall(rb'src="data:[^"]+"', html):
        assert len(data_uri) < 4096, "inline images must stay small"
    return _gz(html) + assets, _gz(html)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_page_weight_budget(client, demo_data, path):
    first, repeat = page_weight(client, path)
    assert first <= FIRST_LOAD_BUDGET, f"{path}: first load {first} B"
    assert repeat <= REPEAT_VISIT_BUDGET, f"{path}: repeat visit {repeat} B"
