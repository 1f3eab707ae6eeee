"""/tra-cuu/: the code plus the phone (or date of birth) shows the declaration; the code alone reveals nothing."""

import pytest
from django.urls import reverse

from apps.core.codes import code_format

from .factories import submitted_declaration

pytestmark = pytest.mark.django_db
URL = "/tra-cuu/"


def lookup(client, **data):
    return client.post(URL, data)


def test_lookup_page_renders(client):
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1 and 'name="code"' in html


@pytest.mark.parametrize(
    "second",
    [{"phone": "0912345678"}, {"phone": "+84 912 345 678"}, {"birth_date": "05/09/1990"}, {"birth_date": "1990-09-05"}],
)
def test_code_with_phone_or_birth_date_finds_it(client, demo_data, second):
    declaration = submitted_declaration()
    response = lookup(client, code=code_format(declaration.code).lower(), **second)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert code_format(declaration.code) in html and "NGUYỄN VĂN AN" in html


def test_the_code_alone_reveals_nothing(client, demo_data):
    declaration = submitted_declaration()
    html = lookup(client, code=declaration.code).content.decode()
    assert "NGUYỄN VĂN AN" not in html
    assert 'id="error-summary"' in html


@pytest.mark.parametrize("second", [{"phone": "0987654321"}, {"birth_date": "06/09/1990"}])
def test_a_wrong_second_factor_gives_the_same_answer_as_an_unknown_code(client, demo_data, second):
    declaration = submitted_declaration()
    wrong = lookup(client, code=declaration.code, **second).content.decode()
    assert "NGUYỄN VĂN AN" not in wrong
    from apps.core.codes import check_character

    unknown_code = "ABCDEFGH" + check_character("ABCDEFGH")
    unknown = lookup(client, code=unknown_code, **second).content.decode()
    assert wrong.count("j-summary") == unknown.count("j-summary") == 1


def test_a_mistyped_code_is_caught_by_its_check_character(client, demo_data):
    declaration = submitted_declaration()
    typo = declaration.code[:-1] + ("A" if declaration.code[-1] != "A" else "B")
    html = lookup(client, code=typo, phone="0912345678").content.decode()
    assert 'id="id_code_error"' in html


def test_lookup_is_rate_limited_per_client(client, demo_data):
    declaration = submitted_declaration()
    for _ in range(10):
        lookup(client, code=declaration.code, phone="0987654321")
    response = lookup(client, code=declaration.code, phone="0912345678")
    assert response.status_code == 200  # refused although right
    assert "15" in response.content.decode()


def test_cancel_frees_the_booking(client, demo_data):
    declaration = submitted_declaration()
    detail = lookup(client, code=declaration.code, phone="0912345678")["Location"]
    token = detail.rstrip("/").rsplit("/", 1)[1]
    cancel_url = reverse("filings:lookup-cancel", args=[token])
    assert client.get(cancel_url).status_code == 200
    response = client.post(cancel_url)
    assert response["Location"] == detail
    declaration.refresh_from_db()
    assert declaration.state == "cancelled" and declaration.events.last().state == "cancelled"
    html = client.get(detail).content.decode()
    assert cancel_url not in html


def test_a_forged_lookup_token_is_refused(client, demo_data):
    declaration = submitted_declaration()
    assert client.get(f"/tra-cuu/{declaration.code}/").status_code == 404
    assert client.get(f"/tra-cuu/{declaration.code}.abc/huy/").status_code == 404


def test_a_lookup_token_expires_after_30_minutes(client, demo_data):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    declaration = submitted_declaration()
    detail = lookup(client, code=declaration.code, phone="0912345678")["Location"]
    assert client.get(detail).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get(detail).status_code == 404
