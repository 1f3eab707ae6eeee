"""The officers' review page: the answers as labelled Vietnamese fields (every procedure, the identity card
included), exactly the officer's moves from the filing's state, "return for correction" only with a reason, and
after the citizen's correction what changed."""

import re

import pytest
from django.urls import reverse

from apps.filings.models import Filing, FilingEvent
from apps.filings.services import filing_correct
from apps.notifications.models import Notification
from tests.backoffice.factories import OfficerFactory

from .factories import filing_make

pytestmark = pytest.mark.django_db

# The officer's moves from each state (written here, not read from the table), by their Vietnamese buttons' targets.
OFFICER_MOVES = {
    "submitted": {"received", "no_show", "returned", "cancelled"},
    "received": {"returned", "in_progress", "ready"},
    "returned": {"received", "cancelled"},
    "in_progress": {"returned", "ready"},
    "ready": {"collected", "posted"},
    "no_show": {"received", "cancelled"},
    "collected": set(),
    "posted": set(),
    "cancelled": set(),
}
PASSPORT_ANSWERS = {"id_number": "079203001234", "request_type": "expiring", "current_passport": "C1234567",
                    "purpose": "tourism"}  # fmt: skip


@pytest.fixture
def officer(client):
    user = OfficerFactory(is_superuser=True)
    client.force_login(user)
    return user


def _page(client, filing) -> str:
    response = client.get(reverse("admin:filings_filing_change", args=[filing.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("state", sorted(OFFICER_MOVES))
def test_the_page_offers_exactly_the_officers_moves(client, officer, state):
    filing = filing_make(answers=PASSPORT_ANSWERS)
    Filing.objects.filter(pk=filing.pk).update(state=state)
    offered = set(re.findall(r"state/\?target=(\w+)", _page(client, filing)))
    assert offered == OFFICER_MOVES[state]


def test_answers_are_labelled_fields_in_vietnamese(client, officer):
    page = _page(client, filing_make(answers=PASSPORT_ANSWERS))
    assert "<dt>Số hộ chiếu hiện có</dt>" in page and "<dd>C1234567</dd>" in page
    assert "<dd>Du lịch</dd>" in page  # the choice's label, not "tourism"
    assert "current_passport" not in page and "&quot;id_number&quot;" not in page  # no raw JSON


def test_an_identity_card_filing_reads_as_its_form(client, officer, demo_data):
    from tests.declarations.factories import submitted_declaration

    page = _page(client, submitted_declaration())
    assert "<dt>Số nhà, đường, ấp, tổ dân phố</dt>" in page and "<dd>12 Đoàn Văn Bơ</dd>" in page
    assert "<dd>05/09/1990</dd>" in page  # a date as officers write it, not 1990-09-05
    assert "permanent_street" not in page and "1990-09-05" not in page


def test_a_filing_made_before_dc02_shows_its_cc01_answers(client, officer, demo_data):
    from tests.declarations.factories import submitted_declaration

    filing = submitted_declaration()
    filing.answers["hometown"] = "Xã Tân Hòa, huyện Bình Chánh, Hồ Chí Minh"
    filing.save(update_fields=["answers"])
    page = _page(client, filing)
    assert "<dt>Quê quán</dt>" in page and "<dd>Xã Tân Hòa, huyện Bình Chánh, Hồ Chí Minh</dd>" in page
    assert "hometown" not in page


def test_return_needs_a_reason_and_the_citizen_gets_it(client, officer):
    filing = filing_make(answers=PASSPORT_ANSWERS)
    url = reverse("admin:filings_filing_transition", args=[filing.pk])
    assert 'value="returned"' in client.get(f"{url}?target=returned").content.decode()
    response = client.post(url, {"target": "returned", "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Hãy ghi lý do: công dân sẽ đọc được."]
    assert Filing.objects.get(pk=filing.pk).state == "submitted"
    assert not Notification.objects.exists()

    response = client.post(url, {"target": "returned", "reason": "Số hộ chiếu cũ không đúng."})
    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == "returned"
    event = FilingEvent.objects.filter(filing=filing).latest("id")
    assert (event.source, event.state, event.reason, event.user) == (
        "submitted",
        "returned",
        "Số hộ chiếu cũ không đúng.",
        officer,
    )
    message = Notification.objects.get()
    assert message.context["note"] == "Số hộ chiếu cũ không đúng."
    # A move the table does not offer from here is refused, whatever is posted.
    response = client.post(url, {"target": "ready", "reason": "x"})
    assert response.status_code == 200 and response.context["form"].errors["target"]
    assert Filing.objects.get(pk=filing.pk).state == "returned"


def test_after_the_correction_the_officer_sees_what_changed(client, officer):
    filing = filing_make(answers=PASSPORT_ANSWERS)
    client.post(
        reverse("admin:filings_filing_transition", args=[filing.pk]),
        {"target": "returned", "reason": "Số hộ chiếu cũ không đúng."},
    )
    filing_correct(
        filing=filing,
        holder_name="NGUYỄN VĂN ANH",
        answers={**PASSPORT_ANSWERS, "current_passport": "C7654321"},
    )
    page = _page(client, filing)
    rows = re.findall(
        r'<tr class="filing-change">\s*<th scope="row">\s*(.*?)\s*</th>\s*<td><del>(.*?)</del></td>\s*'
        r"<td><ins>(.*?)</ins></td>",
        page,
    )
    assert rows == [
        ("Họ và tên", "NGUYỄN VĂN AN", "NGUYỄN VĂN ANH"),
        ("Số hộ chiếu hiện có", "C1234567", "C7654321"),
    ]
    assert "<dd>C7654321</dd>" in page  # the answers shown are the corrected ones


def test_the_queue_filters_the_filings_citizens_corrected(client, officer):
    corrected, untouched = filing_make(answers=PASSPORT_ANSWERS), filing_make(answers=PASSPORT_ANSWERS)
    Filing.objects.filter(pk=corrected.pk).update(state="returned")
    filing_correct(filing=corrected, holder_name="NGUYỄN VĂN AN", answers=PASSPORT_ANSWERS)
    url = reverse("admin:filings_filing_changelist")
    assert list(client.get(url, {"corrected": "yes"}).context["cl"].result_list) == [corrected]
    assert list(client.get(url, {"corrected": "no"}).context["cl"].result_list) == [untouched]
