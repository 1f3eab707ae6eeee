"""The slot picker on a 360 px phone with JavaScript off: unit, day, time, held; no horizontal scrolling."""

import pytest
import time_machine

from apps.appointments.models import Appointment, AppointmentStatus
from tests.browser import page_width

from .conftest import NOW
from .factories import BookingScheduleFactory, ProcedureFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.appointments.urls"),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


def _fits(page) -> None:
    page.wait_for_load_state()
    assert page_width(page) <= 360


def test_pick_unit_day_and_time_without_javascript(live_server, page):
    with time_machine.travel(NOW, tick=True):
        procedure = ProcedureFactory()
        for name in ("Công an Phường 1, Quận 4", "Công an Phường 8, Quận 4"):
            schedule = BookingScheduleFactory(unit__name=name)
            procedure.units.add(schedule.unit)
        page.goto(live_server.url + "/journey/")
        _fits(page)
        page.get_by_role("link", name="Chọn đơn vị này").nth(1).click()
        _fits(page)
        page.get_by_role("link", name="Thứ Tư, 02/12/2026").click()
        _fits(page)
        page.get_by_text("09:00", exact=True).click()
        page.get_by_role("button", name="Giữ giờ này").click()
        assert page.locator("#held").is_visible()
        _fits(page)
    hold = Appointment.objects.get()
    assert hold.status == AppointmentStatus.HELD
    assert hold.unit.name == "Công an Phường 8, Quận 4"
