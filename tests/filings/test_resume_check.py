"""Issue 12.5, a leaked resume link: opened in a browser that does not have the draft, the link shows no answer
until the citizen proves the draft is theirs (a code sent to the draft's mobile number; a date of birth for an
identity-card draft without a number yet); a few wrong answers close it to other browsers; the citizen's own
browser continues at once, and after the check the draft moves to the new browser (the old link stops working)."""

import pytest
from django.test import Client, override_settings

from apps.filings.models import Draft
from apps.notifications.models import OtpChallenge
from tests.declarations.factories import about_data, request_data
from tests.declarations.test_journey import STEP_URLS, post, value_of, walk
from tests.procedures.journey import sample_data

from .resume import last_code, resume_with_code

pytestmark = pytest.mark.django_db
PASSPORT = "/thu-tuc/ho-chieu/"
CHECK_TITLE = "Tiếp tục bản khai đã lưu"
LOCKED = "không thể mở trên điện thoại hay máy tính khác nữa"
NAME = "Nguyễn Văn An"


def passport_link(client) -> str:
    client.post(PASSPORT, sample_data("ho-chieu"))
    return f"{PASSPORT}tiep-tuc/{Draft.objects.get().key}/"


def test_a_stranger_with_the_link_sees_no_answer_and_takes_nothing(client, demo_data):
    link = passport_link(client)
    key = Draft.objects.get().key
    stranger = Client()
    html = stranger.get(link).content.decode()
    assert CHECK_TITLE in html and "đuôi 567" in html  # 0901 234 567: only the last digits
    assert NAME not in html and "0901" not in html
    # Nothing moved: the stranger's browser has no draft, the citizen's browser still has it.
    assert Draft.objects.get().key == key
    assert stranger.get(f"{PASSPORT}dat-lich/")["Location"].startswith(f"{PASSPORT}khong-tim-thay/")
    assert f'value="{NAME}"' in client.get(PASSPORT).content.decode()
    # Answers posted by the stranger to the journey go into a new draft of their own, never into the citizen's.
    stranger.post(PASSPORT, {**sample_data("ho-chieu"), "holder_name": "Kẻ Lạ"})
    assert Draft.objects.get(key=key).data["form"]["holder_name"] == NAME


def test_own_browser_continues_at_once(client, demo_data):
    link = passport_link(client)
    assert client.get(link)["Location"] == f"{PASSPORT}dat-lich/"


def test_the_code_sent_to_the_drafts_number_moves_the_draft_and_confirms_the_number(
    client, demo_data, django_capture_on_commit_callbacks
):
    link = passport_link(client)
    other = Client()
    response = resume_with_code(other, link, django_capture_on_commit_callbacks, phone_tail="901234567")
    assert response["Location"] == f"{PASSPORT}dat-lich/"
    assert OtpChallenge.objects.get().purpose == "draft_resume" and OtpChallenge.objects.get().phone == "+84901234567"
    assert f'value="{NAME}"' in other.get(PASSPORT).content.decode()
    # The old link and the browser that had the draft no longer open it.
    assert f'value="{NAME}"' not in client.get(PASSPORT).content.decode()
    assert NAME not in Client().get(link, follow=True).content.decode()
    # The number is proven: no second code before booking.
    assert Draft.objects.get().verified_phone == "+84901234567"


def test_a_wrong_code_opens_nothing(client, demo_data, django_capture_on_commit_callbacks):
    link = passport_link(client)
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        other.post(link, {"action": "send"})
    right = last_code("901234567")
    wrong = "000000" if right != "000000" else "111111"
    response = other.post(link, {"action": "code", "code": wrong}, follow=True)
    assert response.redirect_chain == [(link, 302)]
    assert "id_code_error" in response.content.decode() and NAME not in response.content.decode()
    assert f'value="{NAME}"' in client.get(PASSPORT).content.decode()  # still the citizen's


def test_a_code_asked_in_one_browser_does_not_open_the_draft_in_another(
    client, demo_data, django_capture_on_commit_callbacks
):
    """The code's challenge lives in the session of the browser that asked for it."""
    link = passport_link(client)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(link, {"action": "send"})
    thief = Client()
    response = thief.post(link, {"action": "code", "code": last_code("901234567")}, follow=True)
    assert (
        "Gửi mã cho tôi" in response.content.decode() and f'value="{NAME}"' not in thief.get(PASSPORT).content.decode()
    )


@override_settings(FILINGS_RESUME_MAX_FAILURES=3)
def test_identity_card_without_a_number_asks_the_date_of_birth_and_locks_after_wrong_answers(client, demo_data):
    post(client, "", request_data(), action="next")
    post(client, "ban-than", about_data(), action="next")  # 05/09/1990; no phone yet
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    stranger = Client()
    html = stranger.get(link).content.decode()
    assert 'name="birth_date"' in html and 'name="code"' not in html and NAME not in html
    for wrong in ("06/09/1990", "05/09/1991", "01/01/1990"):
        response = stranger.post(link, {"action": "birth", "birth_date": wrong}, follow=True)
        assert NAME not in response.content.decode()
    # Locked: even the right date no longer opens it in another browser; the citizen's own browser continues.
    response = Client().post(link, {"action": "birth", "birth_date": "05/09/1990"}, follow=True)
    assert LOCKED in response.content.decode()
    assert value_of(client.get(STEP_URLS["ban-than"]).content.decode(), "full_name") == NAME
    assert client.get(link)["Location"] == STEP_URLS["dia-chi"]


def test_identity_card_the_right_date_of_birth_continues_in_the_new_browser(client, demo_data):
    post(client, "", request_data(), action="next")
    post(client, "ban-than", about_data(), action="next")
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    other = Client()
    other.post(link, {"action": "birth", "birth_date": "06/09/1990"})  # one wrong try first
    response = other.post(link, {"action": "birth", "birth_date": "05/09/1990"})
    assert response["Location"] == STEP_URLS["dia-chi"]
    assert value_of(other.get(STEP_URLS["ban-than"]).content.decode(), "full_name") == NAME
    assert value_of(client.get(STEP_URLS["ban-than"]).content.decode(), "full_name") != NAME


def test_identity_card_with_a_number_asks_the_code_not_the_date_of_birth(
    client, demo_data, django_capture_on_commit_callbacks
):
    walk(client)
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    other = Client()
    html = other.get(link).content.decode()
    assert "đuôi 678" in html and 'name="birth_date"' not in html  # 0912 345 678
    # The date of birth, known to more people than the phone, is not a way in once there is a number.
    assert other.post(link, {"action": "birth", "birth_date": "05/09/1990"})["Location"] == link
    assert value_of(other.get(STEP_URLS["ban-than"]).content.decode(), "full_name") != NAME
    response = resume_with_code(other, link, django_capture_on_commit_callbacks, phone_tail="912345678")
    assert response["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"


def test_a_draft_without_number_or_birth_date_continues_only_where_it_was_started(client, demo_data):
    post(client, "", {"reason": "first_card", "applicant": "self"}, action="next")
    link = f"/thu-tuc/cap-cccd/tiep-tuc/{Draft.objects.get().key}/"
    html = Client().get(link).content.decode()
    assert "chỉ có thể tiếp tục trên điện thoại hoặc máy tính nơi bắt đầu khai" in html
    assert 'name="code"' not in html and 'name="birth_date"' not in html


def test_the_check_page_in_english(client, demo_data):
    link = passport_link(client)
    html = Client().get("/en" + link).content.decode()
    assert "Continue your saved form" in html and html.count("<h1") == 1


def test_wrong_codes_count_against_the_draft(client, demo_data, django_capture_on_commit_callbacks, settings):
    """Each wrong code counts against the draft, on top of the code's own tries: once the draft's count is
    reached, its link no longer opens in another browser, whatever the browser or address."""
    settings.FILINGS_RESUME_MAX_FAILURES = 2
    link = passport_link(client)
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(link, {"action": "send"})
    right = last_code("901234567")
    wrong = "000000" if right != "000000" else "111111"
    for _try in range(2):
        browser.post(link, {"action": "code", "code": wrong})
    response = browser.post(link, {"action": "code", "code": right}, follow=True)
    assert LOCKED in response.content.decode()
    assert LOCKED in Client().get(link, REMOTE_ADDR="10.9.9.9").content.decode()
    assert f'value="{NAME}"' not in browser.get(PASSPORT).content.decode()
