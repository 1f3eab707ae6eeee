"""Issue 12.4: the lookup's second factor is counted per code, whatever the address, and locks the code's lookup
for a while after a few wrong answers (the right one included); after the lock, the citizen may try again."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from apps.core.codes import code_format

from .factories import submitted_declaration

pytestmark = pytest.mark.django_db
URL = "/tra-cuu/"


@pytest.fixture(autouse=True)
def _locmem_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lk"}}
    cache.clear()
    yield
    cache.clear()


def test_rotating_addresses_cannot_brute_force_the_date_of_birth(client, demo_data, settings):
    settings.LOOKUP_CODE_MAX_FAILURES = 5
    settings.LOOKUP_CODE_LOCK_MINUTES = 30
    declaration = submitted_declaration()  # born 05/09/1990
    with time_machine.travel("2026-12-01 08:00 +07:00", tick=False) as traveller:
        for day in range(1, 6):  # five wrong dates, each from a new address
            response = client.post(
                URL, {"code": declaration.code, "birth_date": f"0{day}/01/1990"}, REMOTE_ADDR=f"198.51.100.{day}"
            )
            assert response.status_code == 200
        # The sixth try is right, from yet another address: still locked, and nothing is revealed.
        html = client.post(
            URL, {"code": code_format(declaration.code), "birth_date": "05/09/1990"}, REMOTE_ADDR="198.51.100.77"
        ).content.decode()
        assert "NGUYỄN VĂN AN" not in html
        assert "30" in html and ("khoá" in html or "locked" in html)
        # Other codes are not affected.
        other = submitted_declaration()
        assert client.post(URL, {"code": other.code, "phone": "0912345678"}).status_code == 302
        # After the lock, the citizen may look it up again.
        traveller.shift(timedelta(minutes=31))
        response = client.post(URL, {"code": declaration.code, "birth_date": "05/09/1990"}, REMOTE_ADDR="1.2.3.4")
        assert response.status_code == 302
