"""Issue 12, items 5, 9, 10 and 11, in both journeys (the identity card's and the other procedures'):

* 5: the resume link opens a draft in another browser only after the check that it is the citizen's (the code
  sent to its number, or its date of birth): a link's receiver never types into its sender's draft, and the sender
  can never read what the receiver types (tests/filings/test_resume_check.py has the check itself);
* 9: every POST ends in a redirect, errors included (no "Confirm form resubmission" on back or reload);
* 10: a later step without this browser's draft leads to a page that explains and offers the way back;
* 11: a page posted from an older tab is refused with a message, never saved over newer answers.
"""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from apps.filings import services
from apps.filings.models import Draft, Filing
from tests.declarations.factories import (
    about_data,
    complete_draft,
    contact_data,
    free_slot,
    picker_post,
    request_data,
)
from tests.declarations.test_journey import STEP_URLS, post, value_of, walk
from tests.declarations.test_submit import CONFIRM, send_code
from tests.procedures.journey import first_free_slot, sample_data

from .resume import resume_with_code

VICTIM = "Trần Thị Nạn Nhân"
CONFLICT = "đã được thay đổi ở một thẻ hoặc cửa sổ khác"
EXPIRED_CCCD = "Bản khai đã lưu đã hết hạn hoặc đã được nộp"
LOST = "Chúng tôi không tìm thấy câu trả lời của bạn trên trình duyệt này"
PASSPORT = "/thu-tuc/ho-chieu/"


def version_of(html: str) -> str:
    return re.search(r'name="draft_version" value="(\d+)"', html).group(1)


# --- 5: the resume link ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_identity_card_link_sender_cannot_read_what_the_receiver_types(client, demo_data):
    """A link made by someone else leads the receiver to the check (the sender's date of birth), never into the
    sender's draft: what the receiver types goes into a draft of their own that the sender's link never opens."""
    sender = client
    post(sender, "", request_data(), action="next")
    post(sender, "ban-than", about_data(full_name="Kẻ Gửi"), action="next")
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    victim = Client()
    html = victim.get(link).content.decode()
    assert 'name="birth_date"' in html and "Kẻ Gửi" not in html
    post(victim, "", request_data(), action="next")
    post(victim, "ban-than", about_data(full_name=VICTIM), action="next")
    assert value_of(victim.get(STEP_URLS["ban-than"]).content.decode(), "full_name") == VICTIM
    assert Draft.objects.count() == 2
    # Neither the sender's cookie nor the link opens what the victim typed.
    assert VICTIM not in sender.get(STEP_URLS["ban-than"]).content.decode()
    for browser in (sender, Client()):
        response = browser.get(link, follow=True)
        assert VICTIM not in response.content.decode()


@pytest.mark.django_db
def test_other_procedure_link_sender_cannot_read_what_the_receiver_types(client, demo_data):
    sender = client
    sender.post(PASSPORT, {**sample_data("ho-chieu"), "holder_name": "Kẻ Gửi"})
    link = f"{PASSPORT}tiep-tuc/{Draft.objects.get().key}/"
    victim = Client()
    assert "Kẻ Gửi" not in victim.get(link).content.decode()
    victim.post(PASSPORT, {**sample_data("ho-chieu"), "holder_name": VICTIM})
    assert Draft.objects.count() == 2
    assert sorted(d.data["form"]["holder_name"] for d in Draft.objects.all()) == ["Kẻ Gửi", VICTIM]
    assert VICTIM not in sender.get(PASSPORT).content.decode()
    assert VICTIM not in sender.get(link, follow=True).content.decode()
    assert VICTIM not in Client().get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_a_booked_card_number_at_the_slot_step_reveals_nothing(client, demo_data):
    """Typing someone else's card number (who has a booking) at the slot step: the same answer as any number."""
    from tests.declarations.factories import booked_declaration

    booked = booked_declaration(**{"lien-he": {"phone": "0987 654 321"}})
    walk(client)  # the same card number, another phone
    response = client.post("/thu-tuc/cap-cccd/lich-hen/", picker_post(free_slot(skip=1)))
    assert response.status_code == 302 and response["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"
    html = client.get("/thu-tuc/cap-cccd/kiem-tra/").content.decode()
    booked_time = booked.appointment.starts_at
    from django.utils import timezone

    assert f"{timezone.localtime(booked_time):%H:%M %d/%m/%Y}" not in html


# --- 9: every POST ends in a redirect ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_identity_card_every_post_redirects_even_with_errors(client, demo_data):
    responses = [
        post(client, "", {"reason": "first_card", "applicant": "self"}, action="next"),
        post(client, "ban-than", about_data(birth_date="31/02/1990"), action="next"),  # an error
        post(client, "ban-than", about_data(), action="next"),
        post(client, "dia-chi", {}, action="refresh"),
        post(client, "lien-he", contact_data(phone="12"), action="next"),  # an error
    ]
    # The errors are shown after the redirect, next to what was typed.
    html = client.get(STEP_URLS["lien-he"]).content.decode()
    assert 'id="error-summary"' in html and value_of(html, "phone") == "12"
    walk(client)
    responses.append(client.post("/thu-tuc/cap-cccd/lich-hen/", {"unit": "", "day": "", "slot": "x@1"}))  # error
    responses.append(client.post("/thu-tuc/cap-cccd/lich-hen/", picker_post(free_slot())))
    responses.append(client.post(CONFIRM, {"action": "send"}))  # the statement not ticked
    assert 'id="id_pledge_error"' in client.get(CONFIRM).content.decode()
    responses.append(client.post(CONFIRM, {"action": "verify", "code": "12"}))
    assert [r.status_code for r in responses] == [302] * len(responses)


@pytest.mark.django_db
def test_other_procedure_every_post_redirects_even_with_errors(client, demo_data, django_capture_on_commit_callbacks):
    from apps.procedures.models import Procedure

    responses = [
        client.post(PASSPORT, {**sample_data("ho-chieu"), "phone": "12"}),  # an error
        client.post(PASSPORT, sample_data("ho-chieu")),
        client.post(f"{PASSPORT}dat-lich/", {"slot": "nonsense"}),  # an error
        client.post(f"{PASSPORT}dat-lich/", {"slot": first_free_slot(Procedure.objects.get(slug="ho-chieu")).value}),
        client.post(f"{PASSPORT}xac-nhan/", {"action": "verify", "code": "12"}),  # an error
    ]
    assert [r.status_code for r in responses] == [302] * len(responses)
    assert 'id="id_code_error"' in client.get(f"{PASSPORT}xac-nhan/").content.decode()


# --- 10: lost cookies, expired drafts ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_identity_card_lost_cookies_lead_to_a_page_that_explains_and_the_link_brings_the_answers_back(
    client, demo_data, django_capture_on_commit_callbacks
):
    walk(client)
    key = Draft.objects.get().key
    client.cookies.clear()  # the in-app browser dropped its cookies
    for url in ("/thu-tuc/cap-cccd/kiem-tra/", CONFIRM):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [("/thu-tuc/cap-cccd/khong-tim-thay/", 302)]
        html = response.content.decode()
        assert LOST in html and 'href="/thu-tuc/cap-cccd/"' in html and "/tra-cuu/" in html
    # The draft still exists: its link brings every answer back (after the code sent to the draft's number: this
    # browser lost the cookie that said the draft is its own).
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{key}/"
    resume_with_code(client, link, django_capture_on_commit_callbacks, phone_tail="912345678")
    assert value_of(client.get(STEP_URLS["ban-than"]).content.decode(), "full_name") == "Nguyễn Văn An"
    # A later step posted without the draft keeps what was typed, and says where the rest is.
    other = Client()
    response = other.post(STEP_URLS["lien-he"], {**contact_data(), "action": "next"}, follow=True)
    assert "Chúng tôi không tìm thấy câu trả lời của các trang trước" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_or_moved_draft_explains_itself(client, demo_data, django_capture_on_commit_callbacks):
    import time_machine
    from django.utils import timezone

    walk(client)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8), tick=False):
        response = client.get("/thu-tuc/cap-cccd/kiem-tra/", follow=True)
    assert response.redirect_chain == [("/thu-tuc/cap-cccd/khong-tim-thay/", 302)] and LOST in response.content.decode()
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    resume_with_code(Client(), link, django_capture_on_commit_callbacks, phone_tail="912345678")  # another phone
    response = client.get("/thu-tuc/cap-cccd/kiem-tra/", follow=True)
    assert response.redirect_chain == [("/thu-tuc/cap-cccd/khong-tim-thay/?het-han=1", 302)]
    assert "đang được tiếp tục trên một điện thoại hay máy tính khác" in response.content.decode()
    assert Client().get("/en/thu-tuc/cap-cccd/khong-tim-thay/").content.decode().count("<h1") == 1


# --- 11: a second tab --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_identity_card_an_older_tab_does_not_overwrite_a_newer_one(client):
    post(client, "", {"reason": "first_card", "applicant": "self"}, action="next")
    tab_one = version_of(client.get(STEP_URLS["ban-than"]).content.decode())
    tab_two = tab_one  # the same page open in a second tab
    post(client, "ban-than", about_data(full_name="Lê Văn Hai"), action="next", draft_version=tab_two)
    response = client.post(
        STEP_URLS["ban-than"], {**about_data(full_name="Lê Văn Một"), "action": "next", "draft_version": tab_one}
    )
    assert response.status_code == 302 and response["Location"] == STEP_URLS["ban-than"]
    assert Draft.objects.get().data["ban-than"]["full_name"] == "Lê Văn Hai"
    html = client.get(STEP_URLS["ban-than"]).content.decode()
    assert CONFLICT in html and value_of(html, "full_name") == "Lê Văn Hai"
    # Sent again from the page now shown, it is saved.
    post(client, "ban-than", about_data(full_name="Lê Văn Một"), action="next", draft_version=version_of(html))
    assert Draft.objects.get().data["ban-than"]["full_name"] == "Lê Văn Một"


@pytest.mark.django_db
def test_identity_card_confirm_from_an_older_tab_goes_back_to_the_answers(
    client, demo_data, django_capture_on_commit_callbacks
):
    walk(client)
    client.post("/thu-tuc/cap-cccd/lich-hen/", picker_post(free_slot()))
    code = send_code(client, django_capture_on_commit_callbacks)
    old = version_of(client.get(CONFIRM).content.decode())
    post(client, "ban-than", about_data(full_name="Nguyễn Văn Ân"), action="next", **{"return": "check"})
    response = client.post(CONFIRM, {"action": "verify", "code": code, "draft_version": old}, follow=True)
    assert response.redirect_chain == [("/thu-tuc/cap-cccd/kiem-tra/", 302)]
    assert CONFLICT in response.content.decode() and "NGUYỄN VĂN ÂN" in response.content.decode()
    assert not Filing.objects.exists()


@pytest.mark.django_db
def test_other_procedure_an_older_tab_does_not_overwrite_a_newer_one(client, demo_data):
    client.post(PASSPORT, sample_data("ho-chieu"))
    old = version_of(client.get(PASSPORT).content.decode())
    client.post(PASSPORT, {**sample_data("ho-chieu"), "purpose": "study", "draft_version": old})
    response = client.post(PASSPORT, {**sample_data("ho-chieu"), "purpose": "work", "draft_version": old}, follow=True)
    assert Draft.objects.get().data["form"]["purpose"] == "study"
    assert CONFLICT in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_at_the_same_moment_one_wins_the_other_is_told():
    """PostgreSQL: two requests read the same version and save at once; the conditional update lets exactly one
    save (without it, both would, the second silently over the first)."""
    draft = complete_draft()
    barrier = threading.Barrier(2)
    outcomes = []

    def tab(name: str) -> None:
        try:
            mine = Draft.objects.get(pk=draft.pk)
            barrier.wait()
            services.draft_save_step(draft=mine, step="ban-than", data={"full_name": name}, version=mine.version)
            outcomes.append(name)
        except services.DraftConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(name,)) for name in ("Một", "Hai")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=lambda o: o == "conflict")[1] == "conflict" and outcomes.count("conflict") == 1
    saved = Draft.objects.get(pk=draft.pk)
    assert saved.data["ban-than"] == {"full_name": next(o for o in outcomes if o != "conflict")}
    assert saved.version == draft.version + 1


@pytest.mark.django_db
def test_other_procedure_a_refused_time_redirects_to_the_nearest_free_times(client, demo_data):
    from apps.appointments.models import BookingSchedule
    from apps.appointments.services import appointment_book, appointment_hold
    from apps.procedures.models import Procedure

    procedure = Procedure.objects.get(slug="ho-chieu")
    client.post(PASSPORT, sample_data("ho-chieu"))
    slot = first_free_slot(procedure)
    BookingSchedule.objects.filter(unit=slot.unit).update(capacity=1)
    taken = appointment_hold(
        unit=slot.unit, procedure=procedure, starts_at=slot.starts_at, phone="+84910000001", holder_key="other"
    )
    appointment_book(appointment=taken, reference="OTHER1", holder_name="Trần Văn Bình")
    response = client.post(f"{PASSPORT}dat-lich/", {"slot": slot.value})
    assert response.status_code == 302 and "gan=" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "slot-alt-1" in html and not Filing.objects.exists()
