"""In the browser: closing a counter for a day (the citizens affected, the reason, the confirmation, then the
citizen's message in the outbox with the reason), and the back office's screen fit — at 1366×768 with the sidebar
open the key columns of each list are on screen; at 800 px wide every button of the roster is on screen, big
enough and not covered by anything else."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.backoffice import roles

from .factories import OfficerFactory, appointment_create, browser_sign_in, declaration_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Trụ sở mất điện cả ngày."


def _at(days, hour, minute=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_closure_with_reason_reaches_the_citizens_message(live_server, page, ward_a, ward_b):
    from apps.appointments.models import Closure
    from apps.backoffice.services import roles_setup
    from apps.notifications.models import OutboxMessage

    roles_setup()
    officer = OfficerFactory(username="quantri.p1", units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR])
    ours = appointment_create(unit=ward_a, starts_at=_at(2, 9), name="NGUYỄN VĂN MỘT", phone="+84912000001")
    appointment_create(unit=ward_b, starts_at=_at(2, 9), name="PHƯỜNG KHÁC", phone="+84912000009")
    day = timezone.localdate(ours.slot.starts_at)
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_sign_in(page, f"{live_server.url}/admin/quay/?unit={ward_a.pk}&day={day.isoformat()}", officer)
    page.wait_for_url("**/admin/quay/**")
    page.click("text=Cho quầy nghỉ ngày này")
    page.wait_for_selector("#close-day-form")
    page.fill("textarea[name=reason]", REASON)
    page.check("input[name=outcome][value=cancel]")
    page.click("text=Xem công dân bị ảnh hưởng")
    page.wait_for_selector("#close-day-affected")
    listed = page.inner_text("#close-day-affected")
    assert "NGUYỄN VĂN MỘT" in listed and "PHƯỜNG KHÁC" not in listed
    assert not Closure.objects.exists()  # nothing happens before the confirmation
    page.click("button[name=confirm]")
    page.wait_for_selector("#closure-bookings")
    assert "Đã hủy" in page.inner_text("#closure-bookings")
    closure = Closure.objects.get()
    assert (closure.unit_id, closure.reason) == (ward_a.pk, REASON)
    ours.refresh_from_db()
    assert ours.status == "cancelled"
    sent = OutboxMessage.objects.filter(recipient="+84912000001")
    assert [REASON in m.body for m in sent] == [True]
    assert not OutboxMessage.objects.filter(recipient="+84912000009").exists()
    # The closed day's roster says so.
    page.goto(f"{live_server.url}/admin/quay/?unit={ward_a.pk}&day={day.isoformat()}")
    assert "Quầy nghỉ vào ngày này." in page.inner_text(".counter-closed")


def _visible_in_viewport(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box


def test_key_columns_fit_at_1366_with_the_sidebar_open(live_server, page, ward_a):
    from apps.backoffice.services import roles_setup

    roles_setup()
    officer = OfficerFactory(username="quantri.q4", units=[ward_a], roles=[roles.DISTRICT_ADMINISTRATOR])
    booking = appointment_create(unit=ward_a, starts_at=_at(1, 9), name="NGUYỄN THỊ HỒNG NHUNG")
    declaration_create(appointment=booking, name="NGUYỄN THỊ HỒNG NHUNG")
    from apps.notifications.services import notification_send
    from tests.reports.factories import ReportFactory

    ReportFactory(unit=ward_a)
    notification_send(kind="appointment_reminder", language="vi", context={"name": "A"}, phone="+84912345678")
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_sign_in(page, live_server.url + "/admin/", officer)
    page.wait_for_url("**/admin/")
    lists = {
        "/admin/appointments/appointment/": ("reference", "holder_name", "local_start", "status"),
        "/admin/filings/filing/": ("code", "holder_name", "state_shown", "visit"),
        "/admin/reports/report/": ("code", "deadline", "category", "status"),
        "/admin/notifications/notification/": ("kind", "recipient", "delivery"),
    }
    for url, columns in lists.items():
        page.goto(live_server.url + url)
        sidebar = _visible_in_viewport(page, "#nav-sidebar")
        assert sidebar["width"] > 100, f"{url}: the sidebar is open"
        for column in columns:
            box = _visible_in_viewport(page, f"#result_list th.column-{column}")
            assert box["x"] >= sidebar["x"] + sidebar["width"] - 1, f"{url} {column} under the sidebar"
            assert box["x"] + box["width"] <= 1366, f"{url}: column {column} ends at {box['x'] + box['width']}"


def test_roster_buttons_are_usable_at_800_px(live_server, page, ward_a):
    from apps.backoffice.services import roles_setup

    roles_setup()
    officer = OfficerFactory(username="quay.p1", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    midnight = datetime.combine(timezone.localdate(), time(0, 1), tzinfo=timezone.get_current_timezone())
    later = min(timezone.localtime() + timedelta(hours=1), midnight.replace(hour=23, minute=45)).replace(
        second=0, microsecond=0
    )
    appointment_create(unit=ward_a, starts_at=midnight, name="NGƯỜI ĐẾN SỚM VỚI TÊN RẤT DÀI ĐỂ THỬ XUỐNG DÒNG")
    appointment_create(unit=ward_a, starts_at=later, name="NGƯỜI ĐẾN SAU")
    page.set_viewport_size({"width": 800, "height": 1000})
    browser_sign_in(page, live_server.url + "/admin/quay/", officer)
    page.wait_for_url("**/admin/quay/")
    buttons = page.locator("#roster button")
    assert buttons.count() >= 3  # arrived ×2, not come ×1
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        label = button.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 800, f"{label}: off screen {box}"
        assert box["height"] >= 24 and box["width"] >= 24, f"{label}: too small {box}"
        hit = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.closest('button') ? "
            "e.closest('button').innerText : (e ? e.outerHTML.slice(0, 200) : 'nothing'); }",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == label, f"{label}: covered by something else ({hit})"
