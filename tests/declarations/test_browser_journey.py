"""The whole journey in Chromium at 360×740 with Zalo's user agent, on the embedded default: declaration, slot,
confirmation code read from /dev/outbox/, done page (code, QR, .ics), then lookup, reschedule and cancel."""

import re

import pytest
from playwright.sync_api import expect

from apps.appointments.models import AppointmentStatus
from apps.core.codes import code_is_valid, code_normalize
from apps.filings import outputs
from apps.filings.models import Filing
from apps.filings.tokens import qr_token
from tests.browser import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page) -> None:
    assert page_width(page) <= 360, page.url
    assert page.locator("h1").count() == 1, page.url


def next_step(page) -> None:
    page.click("button[name=action][value=next]")


def pick_a_time(page, *, nth: int = 0) -> str:
    """Unit, day and time through the picker's links and radios (no JavaScript needed)."""
    picker = page.locator("#slot-picker")
    if picker.locator("a.btn-primary").count():
        picker.locator("a.btn-primary").first.click()
    page.locator("#slot-picker a.btn-outline-primary").first.click()
    times = page.locator("#slot-picker input[name=slot]:not([disabled])")
    chosen = times.nth(nth)
    value = chosen.get_attribute("value")
    page.click(f"label[for={chosen.get_attribute('id')}]")
    page.click("#slot-picker button[type=submit]")
    return value


def test_the_whole_journey_on_a_phone_in_zalo(live_server, page, demo_data, settings):
    settings.DEBUG = True  # the embedded default: /dev/outbox/ is the citizen's phone
    base = live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    popups: list = []
    page.on("popup", lambda popup: popups.append(popup))

    page.goto(base + "/thu-tuc/cap-cccd/")
    fits_the_phone(page)
    expect(page.locator("h1")).to_have_text("Nội dung đề nghị")
    page.check("input[name=reason][value=first_card]")
    page.check("[name=accept_notice]")  # the privacy notice (issue 13.1)
    next_step(page)

    # About you: a mistake first; the error is shown beside the field and nothing typed is lost.
    page.fill("[name=full_name]", "nguyễn văn an")
    page.fill("[name=birth_date]", "31/02/1990")
    page.check("input[name=sex][value=M]")
    page.fill("[name=id_number]", "079 090 123 456")
    # DC02 asks no CC01-era questions, and no representative for an adult.
    assert page.locator("[name=ethnicity], [name=hometown], [name=rep_name]").count() == 0
    next_step(page)
    fits_the_phone(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_birth_date_error")).to_contain_text("ngày có thật")
    assert page.input_value("[name=full_name]") == "nguyễn văn an"  # as typed, until it is valid
    assert page.input_value("[name=id_number]") == "079 090 123 456"
    page.fill("[name=birth_date]", "05/09/1990")
    next_step(page)

    # Addresses: an old ward name finds the current ward.
    fits_the_phone(page)
    page.fill("[name=permanent_old_name]", "Phường 9, Quận 4")
    page.fill("[name=permanent_street]", "12 Đoàn Văn Bơ")
    next_step(page)

    # Contact and receiving the card.
    fits_the_phone(page)
    page.fill("[name=phone]", "0912 345 678")
    # Back keeps what was typed on both pages.
    page.click("button[name=action][value=back]")
    assert page.input_value("[name=permanent_street]") == "12 Đoàn Văn Bơ"
    next_step(page)
    assert page.input_value("[name=phone]") == "0912 345 678"
    next_step(page)

    # Appointment: the slot picker; the place is held.
    fits_the_phone(page)
    pick_a_time(page)

    # Check your answers, with a change link per answer.
    fits_the_phone(page)
    expect(page.locator("main")).to_contain_text("NGUYỄN VĂN AN")
    expect(page.locator("main")).to_contain_text("Phường Khánh Hội")
    assert page.locator("a", has_text="Sửa").count() >= 12
    page.click("a.btn-primary[href$='/xac-nhan/']")

    # Confirmation code, read from the development outbox.
    fits_the_phone(page)
    page.check("[name=pledge]")  # DC02's declaration statement
    page.click("button[name=action][value=send]")
    outbox = page.request.get(base + "/dev/outbox/").text()
    code = re.search(r"\b(\d{6})\b", outbox).group(1)
    page.fill("[name=code]", code)
    page.click("button[name=action][value=verify]")

    # Done: the code, the QR code (a signed token), the calendar file.
    fits_the_phone(page)
    shown = page.locator("#declaration-code").inner_text()
    declaration = Filing.objects.get()
    assert code_normalize(shown) == declaration.code and code_is_valid(declaration.code)
    assert declaration.appointment.status == AppointmentStatus.BOOKED
    qr = page.locator("img.j-qr")
    page.wait_for_function(
        "() => { const i = document.querySelector('img.j-qr'); return i.complete && i.naturalWidth > 0; }"
    )
    qr_bytes = page.request.get(base + qr.get_attribute("src")).body()
    assert qr_bytes == outputs.qr_png(qr_token(declaration.code), box=5)
    ics = page.request.get(base + page.locator("a[href$='lich-hen.ics']").get_attribute("href"))
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text() and declaration.code in ics.text()
    slip = page.request.get(base + page.locator("a[href$='phieu.png']").get_attribute("href"))
    assert slip.headers["content-type"] == "image/png"
    expect(page.locator("button.j-copy")).to_be_visible()  # progressive enhancement ran (same-origin script)

    # Look it up, move it, cancel it.
    page.goto(base + "/tra-cuu/")
    fits_the_phone(page)
    page.fill("[name=code]", shown)
    page.fill("[name=phone]", "0912345678")
    page.click("main form button[type=submit]")
    fits_the_phone(page)
    expect(page.locator("#filing-code")).to_have_text(shown)
    before = declaration.appointment.starts_at
    page.click("a[href$='/doi-lich/']")
    fits_the_phone(page)
    pick_a_time(page, nth=1)
    declaration.appointment.refresh_from_db()
    assert declaration.appointment.starts_at != before
    page.click("a[href$='/huy/']")
    page.click("main form button[type=submit]")
    declaration.refresh_from_db()
    declaration.appointment.refresh_from_db()
    assert declaration.state == "cancelled"
    assert declaration.appointment.status == AppointmentStatus.CANCELLED

    # Nothing left the portal; nothing opened a new window.
    assert not popups
    assert all(url.startswith(base) or url.startswith("data:") for url in requested), [
        u for u in requested if not u.startswith(base)
    ]
