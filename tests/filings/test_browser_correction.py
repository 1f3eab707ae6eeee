"""The return-for-correction round trip in Chromium: an officer returns an identity-card filing with a reason
(refused without one), the citizen looks it up, reads the reason, corrects one answer in the card's own steps and
sends it again, and the officer sees what changed."""

import pytest
from playwright.sync_api import expect

from apps.backoffice import roles
from apps.filings.models import Filing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Số nhà nơi thường trú ghi chưa đúng."
OLD_STREET = "12 Đoàn Văn Bơ"
NEW_STREET = "14 Đoàn Văn Bơ"
LABEL = "Số nhà, đường, ấp, tổ dân phố"


def test_return_correct_resubmit_and_see_the_changes(live_server, page, browser, demo_data):
    from apps.backoffice.services import roles_setup
    from tests.backoffice.factories import OfficerFactory, browser_sign_in
    from tests.declarations.factories import booked_declaration

    filing = booked_declaration()
    roles_setup()
    reviewer = OfficerFactory(username="kiemtra.q4", units=[filing.appointment.unit], roles=[roles.REVIEWER])
    office = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    officer = office.new_page()
    change_url = f"{live_server.url}/admin/filings/filing/{filing.pk}/change/"

    # The officer reads the answers as labelled fields and returns the filing; a reason is required.
    browser_sign_in(officer, change_url, reviewer)
    officer.wait_for_url(change_url)
    expect(officer.locator(".field-details")).to_contain_text(LABEL)
    expect(officer.locator(".field-details")).to_contain_text(OLD_STREET)
    officer.click(".object-tools >> text=Trả lại để bổ sung, sửa đổi")
    expect(officer.locator("input[name=target][value=returned]")).to_be_checked()
    officer.click("input[type=submit]")
    expect(officer.locator(".errorlist")).to_contain_text("Hãy ghi lý do")
    officer.fill("textarea[name=reason]", REASON)
    officer.click("input[type=submit]")
    officer.wait_for_url(change_url)
    expect(officer.locator(".messagelist")).to_contain_text("Trả lại để bổ sung, sửa đổi")
    assert Filing.objects.get(pk=filing.pk).state == "returned"

    # The citizen looks the filing up, reads the reason and corrects the street in the card's own step.
    page.goto(live_server.url + "/tra-cuu/")
    page.fill("[name=code]", filing.code)
    page.fill("[name=phone]", "0912 345 678")
    page.click("button[type=submit]")
    expect(page.locator("#correction")).to_contain_text(REASON)
    page.click("#correction >> text=Sửa nội dung đã khai")
    expect(page.locator("h1")).to_have_text("Kiểm tra thông tin đã khai")
    expect(page.locator("#correction")).to_contain_text(REASON)
    page.click("a[href$='#f-permanent_street']")
    expect(page.locator("[name=permanent_street]")).to_have_value(OLD_STREET)
    page.fill("[name=permanent_street]", NEW_STREET)
    page.click("button[name=action][value=next]")
    expect(page.locator("main")).to_contain_text(NEW_STREET)
    page.click("#send-correction")
    expect(page.locator("#filing-state")).to_have_text("Đã nộp")
    expect(page.locator("body")).to_contain_text("hồ sơ đã sửa được gửi lại")

    filing.refresh_from_db()
    assert (filing.state, filing.answers["permanent_street"]) == ("submitted", NEW_STREET)

    # The officer sees the corrected answers and what changed.
    officer.goto(change_url)
    change = officer.locator(".filing-change")
    expect(change).to_have_count(1)
    expect(change).to_contain_text(LABEL)
    expect(change.locator("del")).to_have_text(OLD_STREET)
    expect(change.locator("ins")).to_have_text(NEW_STREET)
    office.close()
