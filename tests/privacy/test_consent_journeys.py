"""Issue 13.1 on the journeys: the notice and consent on the first step of the identity card and of every other
procedure (folded in a <details>, no extra page), the version accepted and the sensitive-data consent recorded
on the filing, and what refusing the sensitive-data consent does (those items are left for the counter)."""

import re

import pytest

from apps.filings.models import Filing
from tests.declarations.factories import about_data, booked_declaration, request_data
from tests.procedures.journey import book, sample_data

pytestmark = pytest.mark.django_db

START = "/thu-tuc/cap-cccd/"


def test_the_identity_cards_first_step_shows_the_notice_folded_and_both_consents(client, demo_data):
    html = client.get(START).content.decode()
    start = html.index('<details class="privacy-notice')
    details = html[start : html.index("</details>", start)]
    assert "Công an Quận 4 (Thành phố Hồ Chí Minh) thu thập" in details  # who collects, for what
    assert "180 ngày" in details and "xem, sửa, xóa" in details  # how long, the rights
    # The box carries the version shown.
    assert re.search(r'<input[^>]*name="accept_notice" type="checkbox" value="1" required>', html)
    assert "Dân tộc, tôn giáo và nhóm máu là dữ liệu cá nhân nhạy cảm" in html  # the separate consent's label
    assert 'name="accept_sensitive"' in html
    assert "quầy" in html  # what refusing means is said next to the box
    assert 'name="accept_declaration"' not in html  # the identity card's statement is ticked before the code


def test_the_first_step_is_refused_without_the_notice_and_keeps_what_was_typed(client, demo_data):
    response = client.post(START, request_data(accept_notice="", reason="lost"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đánh dấu vào ô để chấp nhận thông báo" in html
    assert re.search(r'<input[^>]*name="reason"[^>]*value="lost"[^>]*checked', html)


def test_the_filing_records_the_notice_version_and_the_sensitive_consent(demo_data):
    filing = booked_declaration()
    filing.refresh_from_db()
    assert (filing.notice_version, filing.sensitive_consent) == (1, True)
    assert filing.answers["ethnicity"] == "Kinh"
    assert "accept_notice" not in filing.answers and "accept_sensitive" not in filing.answers


def test_refusing_the_sensitive_consent_leaves_ethnicity_religion_and_blood_group_for_the_counter(client, demo_data):
    client.post(START, request_data(accept_sensitive=""))
    about = client.get(START + "ban-than/").content.decode()
    for name in ("ethnicity", "religion", "blood_group"):
        assert f'name="{name}"' not in about
    assert 'name="full_name"' in about
    # Posted without them, the step is complete.
    data = {k: v for k, v in about_data().items() if k not in ("ethnicity", "religion", "blood_group")}
    assert client.post(START + "ban-than/", data).status_code == 302
    filing = booked_declaration(**{"": {"accept_sensitive": ""}})
    filing.refresh_from_db()
    assert (filing.notice_version, filing.sensitive_consent) == (1, False)
    assert not {"ethnicity", "religion", "blood_group"} & set(filing.answers)


def test_with_the_consent_the_about_step_asks_for_them(client, demo_data):
    client.post(START, request_data())
    about = client.get(START + "ban-than/").content.decode()
    assert 'name="ethnicity"' in about and 'name="religion"' in about and 'name="blood_group"' in about


def test_another_procedures_first_step_has_the_notice_and_the_declaration_statement(client, demo_data):
    html = client.get("/thu-tuc/ho-chieu/").content.decode()
    assert "<details" in html and "Công an Quận 4 (Thành phố Hồ Chí Minh) thu thập" in html
    assert "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật." in html
    assert 'name="accept_sensitive"' not in html  # the passport form asks for no sensitive data
    data = {**sample_data("ho-chieu"), "accept_declaration": ""}
    response = client.post("/thu-tuc/ho-chieu/", data)
    assert response.status_code == 200
    assert "Đánh dấu vào ô để cam đoan." in response.content.decode()


def test_another_procedures_filing_records_the_notice_version(client, demo_data, django_capture_on_commit_callbacks):
    book(client, django_capture_on_commit_callbacks, "ho-chieu")
    filing = Filing.objects.get(procedure__slug="ho-chieu")
    assert (filing.notice_version, filing.sensitive_consent) == (1, None)
    assert not {"accept_notice", "accept_declaration"} & set(filing.answers)


@pytest.mark.parametrize(("consent", "ethnicity"), [("1", "Kinh"), ("", None)])
def test_a_correction_reopens_the_journey_with_the_consents_given(demo_data, consent, ethnicity):
    from apps.declarations.selectors import draft_answers
    from apps.declarations.services import declaration_correct, declaration_correction_start
    from apps.filings.services import filing_transition
    from tests.backoffice.factories import OfficerFactory

    filing = booked_declaration(**{"": {"accept_sensitive": consent}})
    filing_transition(filing=filing, target="returned", user=OfficerFactory(is_superuser=True), reason="Sửa quê quán")
    draft = declaration_correction_start(filing=filing)
    answers, missing = draft_answers(draft=draft)
    assert missing is None  # nothing to tick again: the check page opens
    assert (answers["accept_notice"], answers["accept_sensitive"], answers.get("ethnicity")) == (
        1,
        bool(consent),
        ethnicity,
    )
    declaration_correct(draft=draft, filing=filing)
    filing.refresh_from_db()
    assert (filing.notice_version, filing.sensitive_consent, filing.answers.get("ethnicity")) == (
        1,
        bool(consent),
        ethnicity,
    )
