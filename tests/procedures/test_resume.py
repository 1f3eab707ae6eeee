"""Every procedure keeps its answers as a draft with the identity card's resume rules: the page shows the draft's
own link; the link opens it on another device at the step it had reached (after the code sent to the form's mobile
number, tests/filings/test_resume_check.py); it lives 7 days from the last change (a change extends it); an
expired or submitted draft is never reopened; a draft opens only in its own procedure."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.filings.models import Draft
from tests.filings.resume import resume_with_code

from .journey import book, first_free_slot, sample_data

pytestmark = pytest.mark.django_db
FOUR = ["ho-chieu", "dang-ky-xe", "dang-ky-cu-tru", "tam-tru-nguoi-nuoc-ngoai"]
EXPIRED = "Bản khai đã lưu đã hết hạn hoặc đã được nộp"


def resume_path(slug: str, draft: Draft) -> str:
    return f"/thu-tuc/{slug}/tiep-tuc/{draft.key}/"


def start_with_an_error(client, slug: str) -> Draft:
    """The form posted with the declaration statement not ticked: kept as typed, not valid."""
    data = {**sample_data(slug), "accept_declaration": ""}
    assert client.post(f"/thu-tuc/{slug}/", data).status_code == 302  # to the form, with its errors
    return Draft.objects.get(procedure_slug=slug)


@pytest.mark.parametrize("slug", FOUR)
def test_the_page_shows_the_resume_link_and_another_browser_gets_what_was_typed(
    client, demo_data, django_capture_on_commit_callbacks, slug
):
    draft = start_with_an_error(client, slug)
    assert f"http://testserver{resume_path(slug, draft)}" in client.get(f"/thu-tuc/{slug}/").content.decode()
    other = Client()
    response = resume_with_code(
        other, resume_path(slug, draft), django_capture_on_commit_callbacks, phone_tail="901234567"
    )
    # Not valid yet: back to the form, with what was typed.
    assert response.status_code == 302 and response["Location"] == f"/thu-tuc/{slug}/"
    html = other.get(f"/thu-tuc/{slug}/").content.decode()
    assert 'value="Nguyễn Văn An"' in html
    # The other browser now works on the same draft: its changes go into it.
    other.post(f"/thu-tuc/{slug}/", sample_data(slug))
    assert Draft.objects.count() == 1 and Draft.objects.get().data["form"]["accept_declaration"] == "1"


@pytest.mark.parametrize("slug", FOUR)
def test_the_link_goes_to_the_step_reached(client, demo_data, django_capture_on_commit_callbacks, slug):
    client.post(f"/thu-tuc/{slug}/", sample_data(slug))
    draft = Draft.objects.get()
    assert client.get(resume_path(slug, draft))["Location"] == f"/thu-tuc/{slug}/dat-lich/"
    slot = first_free_slot(draft_procedure(slug))
    assert client.post(f"/thu-tuc/{slug}/dat-lich/", {"slot": slot.value})["Location"] == f"/thu-tuc/{slug}/xac-nhan/"
    response = resume_with_code(
        Client(), resume_path(slug, draft), django_capture_on_commit_callbacks, phone_tail="901234567"
    )
    assert response["Location"] == f"/thu-tuc/{slug}/xac-nhan/"


def draft_procedure(slug: str):
    from apps.procedures.models import Procedure

    return Procedure.objects.get(slug=slug)


@pytest.mark.parametrize("slug", FOUR)
def test_a_draft_lives_seven_days_from_its_last_change(client, demo_data, slug):
    draft = start_with_an_error(client, slug)
    started = timezone.now()
    # The same browser opens its link (another browser would take the draft over under a new key).
    with time_machine.travel(started + timedelta(days=6, hours=23), tick=False):
        assert client.get(resume_path(slug, draft))["Location"] == f"/thu-tuc/{slug}/"
        client.post(f"/thu-tuc/{slug}/", {**sample_data(slug), "phone": ""})  # a change: 7 more days
    with time_machine.travel(started + timedelta(days=13), tick=False):
        assert client.get(resume_path(slug, draft))["Location"] == f"/thu-tuc/{slug}/"
    with time_machine.travel(started + timedelta(days=14), tick=False):
        other = Client()
        response = other.get(resume_path(slug, draft), follow=True)
        assert response.redirect_chain == [(f"/thu-tuc/{slug}/", 302)]
        html = response.content.decode()
        assert EXPIRED in html and 'value="Nguyễn Văn An"' not in html
        # Nor through the cookie of the browser that typed it.
        assert 'value="Nguyễn Văn An"' not in client.get(f"/thu-tuc/{slug}/").content.decode()


@pytest.mark.parametrize("slug", ["ho-chieu", "tam-tru-nguoi-nuoc-ngoai"])
def test_a_submitted_draft_is_never_reopened(client, demo_data, django_capture_on_commit_callbacks, slug):
    book(client, django_capture_on_commit_callbacks, slug)
    draft = Draft.objects.get(procedure_slug=slug)
    assert draft.filing is not None
    response = Client().get(resume_path(slug, draft), follow=True)
    assert response.redirect_chain == [(f"/thu-tuc/{slug}/", 302)] and EXPIRED in response.content.decode()
    assert 'value="Nguyễn Văn An"' not in client.get(f"/thu-tuc/{slug}/").content.decode()


def test_a_draft_opens_only_in_its_own_procedure(client, demo_data, django_capture_on_commit_callbacks):
    client.post("/thu-tuc/ho-chieu/", sample_data("ho-chieu"))
    draft = Draft.objects.get()
    other = Client()
    for path in (resume_path("dang-ky-xe", draft), f"/thu-tuc/cap-cccd/tiep-tuc/{draft.key}/"):
        response = other.get(path, follow=True)
        assert EXPIRED in response.content.decode()
    response = resume_with_code(
        other, resume_path("ho-chieu", draft), django_capture_on_commit_callbacks, phone_tail="901234567"
    )
    assert response["Location"] == "/thu-tuc/ho-chieu/dat-lich/"


def test_an_unknown_link_starts_again(client, demo_data):
    response = client.get("/thu-tuc/ho-chieu/tiep-tuc/00000000-0000-0000-0000-000000000000/", follow=True)
    assert response.redirect_chain == [("/thu-tuc/ho-chieu/", 302)] and EXPIRED in response.content.decode()
