"""The journey's pages: one step per page, drafts on the server, nothing typed is ever lost, fixed query counts."""

import re
from datetime import date

import pytest
from django.urls import reverse

from apps.fees.selectors import fee_quote
from apps.filings.models import Draft
from apps.privacy.services.notices import privacy_notice_current

from .factories import STEP_DATA, about_data, address_data, free_slot, picker_post

pytestmark = pytest.mark.django_db

START = "/thu-tuc/cap-cccd/"
STEP_URLS = {slug: START + (f"{slug}/" if slug else "") for slug in STEP_DATA}


def value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def selected_of(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    option = re.search(r'<option value="([^"]*)" selected>', select.group(1)) if select else None
    return option.group(1) if option else None


def post(client, slug, data, **extra):
    return client.post(STEP_URLS[slug], {**data, **extra})


def walk(client, **per_step):
    for slug, builder in STEP_DATA.items():
        response = post(client, slug, builder(**per_step.get(slug, {})), action="next")
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    return response


def hold(client, slot=None):
    response = client.post(reverse("declarations:appointment"), picker_post(slot or free_slot()))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("declarations:check")


@pytest.mark.parametrize("slug", list(STEP_DATA))
def test_every_step_renders_by_get_with_a_fresh_session_and_writes_nothing(
    client, demo_data, slug, django_assert_max_num_queries
):
    client.get("/")  # the header's home unit is cached across pages
    fee_quote(procedure="cap-cccd", reason="lost", on=date(2027, 1, 4))  # so is the fee schedule (step 1's guide)
    privacy_notice_current()  # and the privacy notice (step 1's consent, read by every step's draft check)
    with django_assert_max_num_queries(0):
        response = client.get(STEP_URLS[slug])
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Bước" in html or "Step" in html  # progress indicator
    assert Draft.objects.count() == 0


def test_the_address_step_lists_the_hcmc_wards_by_default(client):
    html = client.get(STEP_URLS["dia-chi"]).content.decode()
    assert "Phường Khánh Hội" in html and "Phường Vĩnh Hội" in html
    assert html.count('<option value="27265">') == 1  # the current residence is asked only when it differs


def test_the_whole_form_part_leads_to_the_check_page(client, demo_data):
    response = walk(client)
    assert response["Location"] == STEP_URLS["lien-he"].replace("lien-he", "lich-hen")
    hold(client)
    response = client.get(reverse("declarations:check"))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "NGUYỄN VĂN AN",
        "05/09/1990",
        "079090123456",
        "Phường Khánh Hội",
        "12 Đoàn Văn Bơ",
        "0912 345 678",
    ):
        assert expected in html, expected
    # a "change" link per answer, each back to its step
    # One "change" link per DC02 answer: what you ask for (2), about you (5), address (4), contact (5).
    assert html.count("?sua=1#f-") == 16


def test_an_error_keeps_everything_typed_and_shows_a_summary(client):
    data = about_data(birth_date="31/02/1990", full_name="Lê Thị Hồng")
    response = post(client, "ban-than", data, action="next")
    # Issue 12.9: even with errors the POST ends in a redirect (back and reload never resend the form) ...
    assert response.status_code == 302 and response["Location"] == STEP_URLS["ban-than"]
    # ... to the step, which shows what was typed and the errors, kept on the server.
    for _reload in range(2):
        html = client.get(STEP_URLS["ban-than"]).content.decode()
        assert 'id="error-summary"' in html
        assert 'href="#f-birth_date"' in html
        assert value_of(html, "birth_date") == "31/02/1990"
        assert value_of(html, "full_name") == "Lê Thị Hồng"
        assert value_of(html, "id_number") == "079090123456"
        assert 'value="M" checked' in html
    # Once the step is sent right, visiting it again shows no error messages.
    post(client, "ban-than", about_data(), action="next")
    assert 'id="error-summary"' not in client.get(STEP_URLS["ban-than"]).content.decode()


def test_back_keeps_what_was_typed_on_both_pages(client):
    walk(client)
    response = post(client, "lien-he", {"email": "an@example.vn", "phone": "0987"}, action="back")
    assert response["Location"] == STEP_URLS["dia-chi"]
    html = client.get(STEP_URLS["dia-chi"]).content.decode()
    assert value_of(html, "permanent_street") == "12 Đoàn Văn Bơ"
    html = client.get(STEP_URLS["lien-he"]).content.decode()
    assert value_of(html, "email") == "an@example.vn"
    assert value_of(html, "phone") == "0987"


def test_change_from_the_check_page_returns_to_it_and_keeps_other_answers(client, demo_data):
    walk(client)
    hold(client)
    html = client.get(STEP_URLS["ban-than"] + "?sua=1").content.decode()
    assert 'name="return" value="check"' in html
    response = post(client, "ban-than", about_data(full_name="Nguyễn Văn Ân"), action="next", **{"return": "check"})
    assert response["Location"] == reverse("declarations:check")
    html = client.get(reverse("declarations:check")).content.decode()
    assert "NGUYỄN VĂN ÂN" in html and "12 Đoàn Văn Bơ" in html


def test_changing_the_province_shows_its_wards_and_keeps_the_street(client):
    data = address_data(permanent_province="1", permanent_ward="", permanent_street="5 Hàng Bài")
    response = post(client, "dia-chi", data, action="refresh")
    assert response.status_code == 302
    html = client.get(STEP_URLS["dia-chi"]).content.decode()
    assert selected_of(html, "permanent_province") == "1"
    assert "Phường Hoàn Kiếm" in html
    assert value_of(html, "permanent_street") == "5 Hàng Bài"


def test_the_check_page_sends_an_incomplete_draft_to_the_missing_step(client):
    post(client, "", STEP_DATA[""](), action="next")
    response = client.get(reverse("declarations:check"))
    assert response["Location"] == STEP_URLS["ban-than"]


def test_resume_link_restores_the_draft_in_another_browser(client):
    from django.test import Client

    post(client, "", STEP_DATA[""](), action="next")
    post(client, "ban-than", about_data(full_name="Phạm Minh"), action="next")
    draft = Draft.objects.get()
    html = client.get(STEP_URLS["ban-than"]).content.decode()
    assert f"/thu-tuc/cap-cccd/tiep-tuc/{draft.key}/" in html
    other = Client()
    link = reverse("declarations:resume", args=[draft.key])
    assert "Phạm Minh" not in other.get(link).content.decode()  # first, the check that the draft is theirs
    response = other.post(link, {"action": "birth", "birth_date": "05/09/1990"})
    assert response["Location"] == STEP_URLS["dia-chi"]
    html = other.get(STEP_URLS["ban-than"]).content.decode()
    assert value_of(html, "full_name") == "Phạm Minh"


def test_an_expired_draft_is_not_resumed(client):
    import time_machine

    post(client, "", STEP_DATA[""](), action="next")
    draft = Draft.objects.get()
    with time_machine.travel("2099-01-01"):
        response = client.get(reverse("declarations:resume", args=[draft.key]))
    assert response["Location"] == START


def test_a_forged_draft_cookie_is_ignored(client):
    client.cookies["cccd_draft"] = "00000000-0000-0000-0000-000000000000"
    assert client.get(STEP_URLS["ban-than"]).status_code == 200


@pytest.mark.parametrize("slug", list(STEP_DATA))
def test_query_counts_with_a_draft(client, demo_data, slug, django_assert_max_num_queries):
    walk(client)
    client.get(STEP_URLS[slug])  # warm the home-unit cache
    with django_assert_max_num_queries(1):
        assert client.get(STEP_URLS[slug]).status_code == 200
    with django_assert_max_num_queries(3):
        response = post(client, slug, STEP_DATA[slug](), action="next")
    assert response.status_code == 302


def test_check_page_query_count(client, demo_data, django_assert_max_num_queries):
    walk(client)
    hold(client)
    client.get(reverse("declarations:check"))
    with django_assert_max_num_queries(1):
        assert client.get(reverse("declarations:check")).status_code == 200


def test_english_pages(client):
    html = client.get("/en/thu-tuc/cap-cccd/ban-than/").content.decode()
    assert "About you" in html and 'lang="en"' in html


def test_expired_drafts_are_deleted_by_the_periodic_purge(client):
    from datetime import timedelta

    from django.utils import timezone

    from apps.privacy.tasks import purge_expired

    post(client, "", STEP_DATA[""](), action="next")
    kept = Draft.objects.get()
    assert timedelta(days=6, hours=23) < kept.expires_at - timezone.now() <= timedelta(days=7)
    old = Draft.objects.create(data={"": {}}, expires_at=timezone.now() - timedelta(minutes=1))
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=7, minutes=1))
    assert purge_expired()["drafts"] == 1
    assert list(Draft.objects.all()) == [kept]


def test_unticking_same_address_shows_the_current_residence_fields_and_keeps_the_rest(client):
    data = {k: v for k, v in address_data(current_same="").items() if not k.startswith("current_")}
    response = client.post(STEP_URLS["dia-chi"], {**data, "action": "next"}, follow=True)
    assert response.redirect_chain == [(STEP_URLS["dia-chi"], 302)]
    html = response.content.decode()
    assert 'name="current_ward"' in html and 'id="error-summary"' in html
    assert value_of(html, "permanent_street") == "12 Đoàn Văn Bơ"
    more = {**data, "current_province": "79", "current_ward": "27259", "current_street": "5 Tôn Đản"}
    assert post(client, "dia-chi", more, action="next").status_code == 302
