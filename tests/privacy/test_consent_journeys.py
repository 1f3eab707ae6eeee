"""Issue 13.1 on the journeys: the notice and consent on the first step of the identity card and of every other
procedure (folded in a <details>, no extra page), the version accepted recorded on the filing, and the separate,
optional consent to sensitive data for a form that asks for such data."""

import re

import pytest
from django import forms as django_forms

from apps.core.forms.journey import JourneyForm
from apps.filings.models import Filing
from apps.privacy.forms import NoticeConsentMixin
from tests.declarations.factories import booked_declaration, request_data
from tests.procedures.journey import book, sample_data

pytestmark = pytest.mark.django_db

START = "/thu-tuc/cap-cccd/"


def test_the_identity_cards_first_step_shows_the_notice_folded_with_its_box(client, demo_data):
    html = client.get(START).content.decode()
    start = html.index('<details class="privacy-notice')
    details = html[start : html.index("</details>", start)]
    assert "Công an Quận 4 (Thành phố Hồ Chí Minh) thu thập" in details  # who collects, for what
    assert "180 ngày" in details and "xem, sửa, xóa" in details  # how long, the rights
    # The box carries the version shown.
    assert re.search(r'<input[^>]*name="accept_notice" type="checkbox" value="1" required>', html)
    # Since form version 2 the journey asks for no sensitive data: no consent to it; the declaration statement is
    # ticked on the last step, before the code.
    assert 'name="accept_sensitive"' not in html and 'name="accept_declaration"' not in html


def test_the_first_step_is_refused_without_the_notice_and_keeps_what_was_typed(client, demo_data):
    response = client.post(START, request_data(accept_notice="", reason="lost"), follow=True)
    html = response.content.decode()
    assert "Đánh dấu vào ô để chấp nhận thông báo" in html
    assert re.search(r'<input[^>]*name="reason"[^>]*value="lost"[^>]*checked', html)
    assert client.get(START + "ban-than/").status_code in (200, 302)


def test_the_filing_records_the_notice_version(demo_data):
    filing = booked_declaration()
    filing.refresh_from_db()
    assert (filing.notice_version, filing.sensitive_consent) == (1, None)
    assert "accept_notice" not in filing.answers


def test_another_procedures_first_step_has_the_notice_and_the_declaration_statement(client, demo_data):
    html = client.get("/thu-tuc/ho-chieu/").content.decode()
    assert '<details class="privacy-notice' in html and "Công an Quận 4 (Thành phố Hồ Chí Minh) thu thập" in html
    assert "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật." in html
    assert 'name="accept_sensitive"' not in html  # the passport form asks for no sensitive data
    data = {**sample_data("ho-chieu"), "accept_declaration": ""}
    response = client.post("/thu-tuc/ho-chieu/", data, follow=True)
    assert "Đánh dấu vào ô để cam đoan." in response.content.decode()


def test_another_procedures_filing_records_the_notice_version(client, demo_data, django_capture_on_commit_callbacks):
    book(client, django_capture_on_commit_callbacks, "ho-chieu")
    filing = Filing.objects.get(procedure__slug="ho-chieu")
    assert (filing.notice_version, filing.sensitive_consent) == (1, None)
    assert not {"accept_notice", "accept_declaration"} & set(filing.answers)


class _SensitiveForm(NoticeConsentMixin, JourneyForm):
    """A first step asking for sensitive data (none of today's journeys does)."""

    CONSENT_SENSITIVE = True
    religion = django_forms.CharField(required=False)


def test_a_form_asking_for_sensitive_data_gets_a_separate_optional_consent_labelled_with_the_notices_text():
    form = _SensitiveForm(data={"accept_notice": "1"})
    assert form.is_valid() and (form.notice_version, form.sensitive_consent) == (1, False)
    form = _SensitiveForm(data={"accept_notice": "1", "accept_sensitive": "on"})
    assert form.is_valid() and form.sensitive_consent is True
    assert [f.name for f in form.consent_fields()] == ["accept_notice", "accept_sensitive"]
    assert str(form.fields["accept_sensitive"].label).startswith("Dân tộc, tôn giáo và nhóm máu là dữ liệu")
    assert not form.fields["accept_sensitive"].required


def test_a_correction_reopens_the_journey_with_the_notice_accepted(demo_data):
    from apps.declarations.selectors import draft_answers
    from apps.declarations.services import declaration_correct, declaration_correction_start
    from apps.filings.services import filing_transition
    from tests.backoffice.factories import OfficerFactory

    filing = booked_declaration()
    filing_transition(filing=filing, target="returned", user=OfficerFactory(is_superuser=True), reason="Sửa địa chỉ")
    draft = declaration_correction_start(filing=filing)
    answers, missing = draft_answers(draft=draft)
    assert missing is None and answers["accept_notice"] == 1  # nothing to tick again: the check page opens
    declaration_correct(draft=draft, filing=filing)
    filing.refresh_from_db()
    assert filing.notice_version == 1 and "accept_notice" not in filing.answers
