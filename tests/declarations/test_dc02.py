"""DC02 (TT 17/2024, the request form since 1 July 2024): the representative's sex (section II), delivery of the
card by post with the address the result goes to (III(11)), and the declaration statement ticked before the code
is sent."""

import re

import pytest
from django.urls import reverse

from apps.declarations import forms, printing
from apps.fees.models import FeeRule
from apps.notifications.models import Notification

from .factories import contact_data, submitted_declaration
from .test_journey import hold, walk
from .test_submit import CONFIRM

pytestmark = pytest.mark.django_db

PERMANENT = {"permanent_province": "79", "permanent_ward": "27265", "permanent_street": "12 Đoàn Văn Bơ"}


def test_collecting_at_the_counter_is_the_default():
    form = forms.ContactForm(data=contact_data(), answers=PERMANENT)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["delivery"], form.cleaned_data["delivery_address"]) == ("counter", "")


def test_by_post_without_an_address_uses_the_permanent_address():
    form = forms.ContactForm(data=contact_data(delivery="post"), answers=PERMANENT)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["delivery_address"] == "12 Đoàn Văn Bơ, Phường Khánh Hội, Thành phố Hồ Chí Minh"


def test_by_post_to_another_address():
    data = contact_data(delivery="post", delivery_address="5 Tôn Đản, Phường Xóm Chiếu")
    form = forms.ContactForm(data=data, answers=PERMANENT)
    assert form.is_valid() and form.cleaned_data["delivery_address"] == "5 Tôn Đản, Phường Xóm Chiếu"


def test_by_post_with_no_address_known_asks_for_one():
    form = forms.ContactForm(data=contact_data(delivery="post"), answers={})
    assert not form.is_valid() and "delivery_address" in form.errors


def test_the_dc02_printout_says_where_the_result_goes_and_the_statement(demo_data):
    posted = submitted_declaration(**{"lien-he": {"delivery": "post", "delivery_address": "5 Tôn Đản"}})
    assert any(line.startswith("(11)") and "5 Tôn Đản" in line for line in printing.dc02_sections(posted)["requests"])
    counter = submitted_declaration(
        **{
            "ban-than": {"id_number": "079190654321", "birth_date": "01/02/1990", "sex": "F"},
            "lien-he": {"phone": "0987654321"},
        }
    )
    lines = printing.dc02_sections(counter)["requests"]
    assert any(line.startswith("(11)") and "5 Tôn Đản" not in line for line in lines)


def test_the_done_page_shows_where_the_card_is_sent(client, demo_data):
    from apps.filings.tokens import receipt_token

    posted = submitted_declaration(**{"lien-he": {"delivery": "post", "delivery_address": "5 Tôn Đản, Xóm Chiếu"}})
    html = client.get(reverse("declarations:done", args=[receipt_token(posted.code)])).content.decode()
    assert "5 Tôn Đản, Xóm Chiếu" in html and "Địa chỉ nhận kết quả" in html


def test_the_check_page_shows_the_postal_charge_from_the_fee_schedule(client, demo_data):
    walk(client, **{"lien-he": {"delivery": "post"}})
    hold(client)
    html = client.get(reverse("declarations:check")).content.decode()
    assert "Đoàn Văn Bơ, Phường Khánh Hội" in html  # the address the card goes to
    assert "thông báo tại nơi tiếp nhận" in html  # no postal charge in the schedule yet
    # The postal charge is its own schedule: the identity card's 50 % reduction (until 31/12/2026) does not apply.
    FeeRule.objects.create(procedure_slug="chuyen-phat", reason="", amount=22_000, starts_on="2024-07-01", basis="BĐ")
    assert "22.000 đ" in client.get(reverse("declarations:check")).content.decode()


def test_the_code_is_sent_only_after_the_declaration_statement_is_ticked(client, demo_data):
    walk(client)
    hold(client)
    html = client.get(CONFIRM).content.decode()
    assert 'name="pledge"' in html and "cam đoan" in html
    response = client.post(CONFIRM, {"action": "send"}, follow=True)
    assert response.redirect_chain == [(CONFIRM, 302)]  # issue 12.9
    assert 'id="id_pledge_error"' in response.content.decode()
    assert not Notification.objects.filter(kind="otp").exists()
    response = client.post(CONFIRM, {"action": "send", "pledge": "1"})
    assert response.status_code == 302 and Notification.objects.filter(kind="otp").count() == 1
    assert re.search(r'name="code"', client.get(CONFIRM).content.decode())


def test_the_lookup_shows_where_the_card_is_posted_and_nothing_for_the_counter(client, demo_data):
    posted = submitted_declaration(**{"lien-he": {"delivery": "post", "delivery_address": "5 Tôn Đản, Xóm Chiếu"}})
    detail = client.post("/tra-cuu/", {"code": posted.code, "phone": "0912345678"})["Location"]
    html = client.get(detail).content.decode()
    assert re.search(r'<dd id="post-to">\s*5 Tôn Đản, Xóm Chiếu\s*</dd>', html)
    assert "Địa chỉ nhận kết quả" in html
    client.cookies.clear()
    counter = submitted_declaration(
        **{
            "ban-than": {"id_number": "079190654321", "birth_date": "01/02/1990", "sex": "F"},
            "lien-he": {"phone": "0987654321"},
        }
    )
    detail = client.post("/tra-cuu/", {"code": counter.code, "phone": "0987654321"})["Location"]
    html = client.get(detail).content.decode()
    assert detail.startswith("/tra-cuu/") and counter.holder_name in html
    assert 'id="post-to"' not in html and "Địa chỉ nhận kết quả" not in html
