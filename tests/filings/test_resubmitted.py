"""A filing the citizen corrected and sent again after "returned for correction": it stands out in the review
queue (flag, filter) with the officer who returned it, the dashboard says how many wait (and how many the officer
returned), and its page shows every correction, not only the last, each with the reason it answered."""

import re

import pytest
from django.urls import reverse

from apps.filings.services import filing_correct, filing_transition
from tests.backoffice.factories import OfficerFactory

from .factories import filing_make

pytestmark = pytest.mark.django_db

ANSWERS = {
    "id_number": "079203001234",
    "request_type": "expiring",
    "current_passport": "C1234567",
    "purpose": "tourism",
}
FLAG = "Công dân đã sửa: kiểm tra lại"
QUEUE = reverse("admin:filings_filing_changelist")


@pytest.fixture
def officer(client):
    user = OfficerFactory(is_superuser=True, username="can-bo-mot")
    client.force_login(user)
    return user


def returned_and_corrected(*, by, reason="Số hộ chiếu cũ không đúng.", filing=None, **changes):
    filing = filing or filing_make(answers=ANSWERS)
    filing_transition(filing=filing, target="returned", user=by, reason=reason)
    filing.refresh_from_db()
    filing_correct(filing=filing, holder_name=changes.pop("holder_name", filing.holder_name),
                   answers={**filing.answers, **changes})  # fmt: skip
    filing.refresh_from_db()
    return filing


def test_a_corrected_filing_stands_out_in_the_queue_with_who_returned_it(client, officer):
    other = OfficerFactory(is_superuser=True, username="can-bo-hai")
    mine = returned_and_corrected(by=officer)
    theirs = returned_and_corrected(by=other)
    untouched = filing_make(answers=ANSWERS)
    html = client.get(QUEUE).content.decode()
    assert html.count(FLAG) == 2
    assert "trả lại bởi can-bo-mot" in html and "trả lại bởi can-bo-hai" in html
    rows = dict(re.findall(r'<a href="[^"]*/(?:\d+)/change/[^"]*">(\w+)</a>(.*?)</tr>', html, re.S))
    assert FLAG in rows[mine.code] and FLAG in rows[theirs.code] and FLAG not in rows[untouched.code]
    # The filters: every corrected filing waiting, and those this officer returned.
    assert set(client.get(QUEUE, {"sua_lai": "waiting"}).context["cl"].result_list) == {mine, theirs}
    assert list(client.get(QUEUE, {"sua_lai": "mine"}).context["cl"].result_list) == [mine]
    # Once an officer handles it (received at the counter), it no longer waits.
    filing_transition(filing=mine, target="received", user=officer)
    assert list(client.get(QUEUE, {"sua_lai": "waiting"}).context["cl"].result_list) == [theirs]
    assert list(client.get(QUEUE, {"sua_lai": "mine"}).context["cl"].result_list) == []


def test_the_dashboard_tells_how_many_wait_and_how_many_the_officer_returned(client, officer):
    other = OfficerFactory(is_superuser=True, username="can-bo-hai")
    returned_and_corrected(by=officer)
    returned_and_corrected(by=other)
    returned_and_corrected(by=other)
    html = client.get(reverse("admin:index")).content.decode()
    assert "3 hồ sơ đã được công dân sửa và gửi lại" in html
    assert f'href="{QUEUE}?sua_lai=waiting"' in html
    assert "1 hồ sơ trong số đó do bạn trả lại." in html and f'href="{QUEUE}?sua_lai=mine"' in html
    client.force_login(other)
    assert "2 hồ sơ trong số đó do bạn trả lại." in client.get(reverse("admin:index")).content.decode()


def test_no_alert_without_corrected_filings_or_for_another_units_officer(client, officer):
    filing_make(answers=ANSWERS)
    assert "công dân sửa và gửi lại" not in client.get(reverse("admin:index")).content.decode()
    returned_and_corrected(by=officer)  # a filing with no visit: no unit's officer but those who see every unit
    from django.contrib.auth.models import Permission

    outsider = OfficerFactory(username="can-bo-phuong-khac")
    outsider.user_permissions.add(Permission.objects.get(codename="view_filing"))
    client.force_login(outsider)
    assert "công dân sửa và gửi lại" not in client.get(reverse("admin:index")).content.decode()


def test_the_page_shows_every_correction_with_the_reason_it_answered(client, officer):
    other = OfficerFactory(is_superuser=True, username="can-bo-hai")
    filing = returned_and_corrected(by=officer, reason="Họ tên viết sai.", holder_name="NGUYỄN VĂN ANH")
    filing = returned_and_corrected(
        by=other, reason="Số hộ chiếu cũ không đúng.", filing=filing, current_passport="C7654321"
    )
    html = client.get(reverse("admin:filings_filing_change", args=[filing.pk])).content.decode()
    sections = re.findall(r'<section class="filing-correction">(.*?)</section>', html, re.S)
    assert len(sections) == 2
    newest, first = sections
    assert "Lần sửa 2" in newest and "can-bo-hai" in newest and "Số hộ chiếu cũ không đúng." in newest
    assert "<del>C1234567</del>" in newest and "<ins>C7654321</ins>" in newest and "NGUYỄN VĂN ANH</del>" not in newest
    assert "Lần sửa 1" in first and "can-bo-mot" in first and "Họ tên viết sai." in first
    # The first correction's changes are against the answers that followed it, not today's.
    assert "<del>NGUYỄN VĂN AN</del>" in first and "<ins>NGUYỄN VĂN ANH</ins>" in first and "C7654321" not in first
    # The move page shows the same history.
    move = client.get(reverse("admin:filings_filing_transition", args=[filing.pk])).content.decode()
    assert move.count('<section class="filing-correction">') == 2
