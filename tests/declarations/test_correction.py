"""A returned identity-card filing is corrected in its own multi-step form, reopened from the lookup, prefilled;
sending it puts the filing back to "submitted" with its code and appointment, and the officer sees what changed.
Reopening and sending need the lookup's signed token (code + phone or date of birth): no other way in."""

import pytest
import time_machine
from django.utils import timezone

from apps.filings.models import Draft, Filing, FilingVersion
from apps.filings.selectors import filing_last_correction
from apps.filings.services import filing_transition
from apps.filings.tokens import lookup_token
from tests.backoffice.factories import OfficerFactory

from .factories import address_data, booked_declaration, contact_data

pytestmark = pytest.mark.django_db
OLD_STREET = "12 Đoàn Văn Bơ"
NEW_STREET = "14 Đoàn Văn Bơ"
REASON = "Số nhà nơi thường trú ghi chưa đúng."


@pytest.fixture
def returned(demo_data):
    filing = booked_declaration()
    filing_transition(filing=filing, target="returned", user=OfficerFactory(is_superuser=True), reason=REASON)
    return filing


def _look_up(client, filing) -> str:
    response = client.post("/tra-cuu/", {"code": filing.code, "phone": "0912345678"})
    assert response.status_code == 302
    return response["Location"]


def test_the_journey_reopens_prefilled_and_the_correction_is_sent(client, returned):
    code, appointment_id = returned.code, returned.appointment_id
    detail = _look_up(client, returned)
    html = client.get(detail).content.decode()
    assert REASON in html and f'href="{detail}sua/"' in html

    start = client.get(f"{detail}sua/")["Location"]
    assert start.startswith("/thu-tuc/cap-cccd/sua/")
    assert client.get(start)["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"
    check = client.get("/thu-tuc/cap-cccd/kiem-tra/").content.decode()
    assert REASON in check and OLD_STREET in check and 'id="send-correction"' in check
    step = client.get("/thu-tuc/cap-cccd/ban-than/?sua=1").content.decode()
    assert 'value="05/09/1990"' in step  # as the citizen typed it
    step = client.get("/thu-tuc/cap-cccd/dia-chi/?sua=1").content.decode()
    assert f'value="{OLD_STREET}"' in step

    response = client.post("/thu-tuc/cap-cccd/dia-chi/", address_data(permanent_street=NEW_STREET))
    assert response["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"
    contact = client.get("/thu-tuc/cap-cccd/lien-he/").content.decode()
    assert "readonly" in contact
    # Another number posted is not taken: the confirmed phone stays.
    client.post("/thu-tuc/cap-cccd/lien-he/", contact_data(phone="0987654321"))
    # The appointment and the confirmation code are not asked again.
    assert client.get("/thu-tuc/cap-cccd/xac-nhan/")["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"
    assert client.get("/thu-tuc/cap-cccd/lich-hen/")["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"

    token = detail.rstrip("/").rsplit("/", 1)[1]
    response = client.post(f"/thu-tuc/cap-cccd/sua/{token}/gui/")
    assert response["Location"] == detail
    filing = Filing.objects.get(pk=returned.pk)
    assert (filing.state, filing.code, filing.appointment_id) == ("submitted", code, appointment_id)
    assert filing.answers["permanent_street"] == NEW_STREET
    assert str(filing.phone) == "+84912345678" and filing.answers["phone"] == "+84912345678"
    assert list(filing.events.values_list("source", "state")) == [
        ("", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]
    version = FilingVersion.objects.get(filing=filing)
    assert (version.number, version.answers["permanent_street"]) == (1, OLD_STREET)
    changes = filing_last_correction(filing=filing).changes
    assert [(str(c.section), str(c.label), c.before, c.after) for c in changes] == [
        ("Địa chỉ", "Số nhà, đường, ấp, tổ dân phố", OLD_STREET, NEW_STREET),
    ]
    assert not Draft.objects.filter(corrects=filing).exists()
    # Sent once: the lookup shows it submitted, with no correction offered.
    html = client.get(detail).content.decode()
    assert "sua/" not in html


def test_a_forged_token_or_another_procedures_token_opens_nothing(client, returned):
    from tests.filings.factories import filing_make

    assert client.get(f"/thu-tuc/cap-cccd/sua/{returned.code}.forged/")["Location"] == "/tra-cuu/"
    passport = filing_make()
    assert client.get(f"/thu-tuc/cap-cccd/sua/{lookup_token(passport.code)}/")["Location"] == "/tra-cuu/"
    assert not Draft.objects.filter(corrects__isnull=False).exists()


def test_sending_needs_the_browser_that_reopened_it_and_a_fresh_lookup(client, returned):
    from django.test import Client

    detail = _look_up(client, returned)
    token = detail.rstrip("/").rsplit("/", 1)[1]
    client.get(client.get(f"{detail}sua/")["Location"])
    client.post("/thu-tuc/cap-cccd/dia-chi/", address_data(permanent_street=NEW_STREET))
    # Another browser with the token alone (no correction draft of its own) sends nothing.
    assert Client().post(f"/thu-tuc/cap-cccd/sua/{token}/gui/")["Location"] == detail
    assert Filing.objects.get(pk=returned.pk).state == "returned"
    # 31 minutes later the token has expired: look up again; the answers typed are kept.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=31)):
        assert client.post(f"/thu-tuc/cap-cccd/sua/{token}/gui/")["Location"] == "/tra-cuu/"
        assert Filing.objects.get(pk=returned.pk).state == "returned"
        fresh = _look_up(client, returned)
        client.get(client.get(f"{fresh}sua/")["Location"])
        assert NEW_STREET in client.get("/thu-tuc/cap-cccd/kiem-tra/").content.decode()
        new_token = fresh.rstrip("/").rsplit("/", 1)[1]
        assert client.post(f"/thu-tuc/cap-cccd/sua/{new_token}/gui/")["Location"] == fresh
    assert Filing.objects.get(pk=returned.pk).answers["permanent_street"] == NEW_STREET


def test_only_a_returned_filing_is_reopened(client, demo_data):
    filing = booked_declaration()
    detail = _look_up(client, filing)
    assert client.get(f"{detail}sua/")["Location"] == detail
    token = detail.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/thu-tuc/cap-cccd/sua/{token}/")["Location"] == detail
    assert not Draft.objects.filter(corrects__isnull=False).exists()


def test_a_correction_has_no_resume_link_and_its_draft_id_opens_nothing(client, returned):
    detail = _look_up(client, returned)
    client.get(client.get(f"{detail}sua/")["Location"])
    draft = Draft.objects.get(corrects=returned)
    for url in ("/thu-tuc/cap-cccd/kiem-tra/", "/thu-tuc/cap-cccd/ban-than/"):
        assert 'id="resume"' not in client.get(url).content.decode()
    from django.test import Client

    stranger = Client()
    assert stranger.get(f"/thu-tuc/cap-cccd/tiep-tuc/{draft.key}/")["Location"] == "/tra-cuu/"
    assert OLD_STREET not in stranger.get("/thu-tuc/cap-cccd/kiem-tra/", follow=True).content.decode()


def test_a_filing_received_at_the_counter_meanwhile_is_not_sent_from_the_draft(client, returned):
    detail = _look_up(client, returned)
    client.get(client.get(f"{detail}sua/")["Location"])
    filing_transition(filing=returned, target="received", actor="counter")
    assert client.get("/thu-tuc/cap-cccd/kiem-tra/")["Location"] == "/tra-cuu/"
    token = detail.rstrip("/").rsplit("/", 1)[1]
    client.post(f"/thu-tuc/cap-cccd/sua/{token}/gui/")
    filing = Filing.objects.get(pk=returned.pk)
    assert filing.state == "received" and filing.answers["permanent_street"] == OLD_STREET
    assert not FilingVersion.objects.filter(filing=filing).exists()
