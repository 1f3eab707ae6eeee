"""The identity-card journey, start to done page, with the keyboard only (Tab, Space, arrows, typing, Enter: no
click, no fill) and with the browser's text size at 200 % (Chrome's font-size setting, 32 px instead of 16 px), on a
360 px phone: every step is reachable and usable, and no page scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from apps.notifications.models import OutboxMessage
from tests.browser import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, *, limit: int = 150) -> None:
    """Presses Tab until the focused element matches `selector`; fails when it never gets the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def choose(page, selector: str, value: str) -> None:
    """A closed <select>: Home, then the down arrow until the option is chosen."""
    tab_to(page, selector)
    page.keyboard.press("Home")
    for _ in range(200):
        if page.eval_on_selector(selector, "e => e.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector}: the arrow keys never reached {value!r}")


def press_enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def next_step(page) -> None:
    tab_to(page, "button[name=action][value=next]")
    press_enter(page)


def no_sideways_scrolling(page) -> None:
    width = page_width(page)
    assert width <= 360, f"{page.url} scrolls sideways at 200 % text: {width} px wide"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 32, "the text was not enlarged"


def test_identity_card_journey_with_the_keyboard_only_at_200_percent_text(live_server, page, demo_data):
    # Chrome's "font size" setting at 200 %: the pages must size their text relative to it.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.goto(live_server.url + "/thu-tuc/cap-cccd/")
    no_sideways_scrolling(page)

    tab_to(page, "input[name=reason]")
    page.keyboard.press("Space")
    assert page.eval_on_selector("input[name=reason]:checked", "e => e.value") == "first_card"
    tab_to(page, "input[name=accept_notice]")  # the privacy notice (issue 13.1)
    page.keyboard.press("Space")
    next_step(page)

    no_sideways_scrolling(page)
    type_into(page, "[name=full_name]", "Nguyễn Văn An")
    type_into(page, "[name=birth_date]", "05/09/1990")
    tab_to(page, "input[name=sex]")
    page.keyboard.press("Space")
    type_into(page, "[name=id_number]", "079090123456")
    next_step(page)

    no_sideways_scrolling(page)
    expect(page.locator("[name=permanent_old_name]")).to_be_visible()
    type_into(page, "[name=permanent_old_name]", "Phường 9, Quận 4")
    type_into(page, "[name=permanent_street]", "12 Đoàn Văn Bơ")
    next_step(page)

    no_sideways_scrolling(page)
    expect(page.locator("[name=phone]")).to_be_visible()
    type_into(page, "[name=phone]", "0912 345 678")
    next_step(page)

    # The slot picker: unit and day are links, the time is a radio button.
    no_sideways_scrolling(page)
    if page.locator("#slot-picker a.btn-primary").count():
        tab_to(page, "#slot-picker a.btn-primary")
        press_enter(page)
        no_sideways_scrolling(page)
    tab_to(page, "#slot-picker a.btn-outline-primary")
    press_enter(page)
    no_sideways_scrolling(page)
    tab_to(page, "#slot-picker input[name=slot]:not([disabled])")
    page.keyboard.press("Space")
    assert page.locator("#slot-picker input[name=slot]:checked").count() == 1
    tab_to(page, "#slot-picker button[type=submit]")
    press_enter(page)

    no_sideways_scrolling(page)
    tab_to(page, "a.btn-primary[href$='/xac-nhan/']")
    press_enter(page)

    no_sideways_scrolling(page)
    if page.locator("[name=pledge]").count():  # DC02's declaration statement
        tab_to(page, "[name=pledge]")
        page.keyboard.press("Space")
    tab_to(page, "button[name=action][value=send]")
    press_enter(page)
    body = OutboxMessage.objects.latest("pk").body
    type_into(page, "[name=code]", re.search(r"\b(\d{6})\b", body).group(1))
    tab_to(page, "button[name=action][value=verify]")
    press_enter(page)

    no_sideways_scrolling(page)
    expect(page.locator("#declaration-code")).to_be_visible()
