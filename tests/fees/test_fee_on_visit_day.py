"""The identity-card pages quote the fee of the day of the visit: the done page and the check page use the
appointment's day, and the slot picker warns when the chosen day falls under another fee than today's.

The clock is pinned: on 24/12/2026 a re-issue costs 35.000 đ (50 % until 31/12/2026), from 1/1/2027 70.000 đ."""

import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from apps.appointments.selectors import slot_list_available
from apps.declarations.idnumbers import id_number_build
from apps.filings.tokens import receipt_token
from apps.procedures.models import Procedure
from apps.units.models import PoliceUnit
from tests.declarations.factories import booked_declaration, picker_post, submitted_declaration
from tests.declarations.test_journey import walk

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CHRISTMAS_EVE_2026 = datetime(2026, 12, 24, 10, 0, tzinfo=VN)
LOST = {"": {"reason": "lost"}}
WARNING = "khác với mức hôm nay"


def slot_on(day: date):
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    units = PoliceUnit.objects.filter(receives_id_applications=True, is_active=True, procedures=procedure)
    unit = units.filter(booking_schedule__is_active=True).first()
    for availability in slot_list_available(unit=unit, procedure=procedure, start=day, end=day):
        for slot in availability.slots:
            if not slot.is_full:
                return slot
    raise AssertionError(f"no free slot on {day}")


@pytest.mark.parametrize(
    ("now", "shown"), [(CHRISTMAS_EVE_2026, "35.000 đ"), (datetime(2027, 1, 4, 10, tzinfo=VN), "70.000 đ")]
)
def test_without_an_appointment_the_done_page_quotes_today(client, demo_data, now, shown):
    with time_machine.travel(now, tick=False):
        declaration = submitted_declaration(**LOST)
        html = client.get(reverse("declarations:done", args=[receipt_token(declaration.code)])).content.decode()
    assert shown in html


def test_a_january_visit_booked_in_december_is_quoted_at_januarys_fee(client, demo_data):
    with time_machine.travel(CHRISTMAS_EVE_2026, tick=False):
        declaration = booked_declaration(slot=slot_on(date(2027, 1, 4)), **LOST)
        html = client.get(reverse("declarations:done", args=[receipt_token(declaration.code)])).content.decode()
        assert "70.000 đ" in html and "35.000 đ" not in html
        other = id_number_build(province_code="079", birth_year=1991, sex="F", serial=654321)
        december = booked_declaration(
            slot=slot_on(date(2026, 12, 28)),
            **{"": {"reason": "damaged"}, "ban-than": {"id_number": other, "sex": "F", "birth_date": "01/02/1991"}},
            **{"lien-he": {"phone": "0987 654 321"}},
        )
        html = client.get(reverse("declarations:done", args=[receipt_token(december.code)])).content.decode()
        assert "35.000 đ" in html


def test_the_slot_picker_warns_when_the_chosen_day_has_another_fee(client, demo_data):
    with time_machine.travel(CHRISTMAS_EVE_2026, tick=False):
        walk(client, **LOST)
        january, december = slot_on(date(2027, 1, 4)), slot_on(date(2026, 12, 28))
        url = reverse("declarations:appointment")
        html = client.get(url, {"unit": january.unit.slug, "day": "2027-01-04"}).content.decode()
        assert WARNING in html and "04/01/2027" in html and "70.000 đ" in html and "35.000 đ" in html
        html = client.get(url, {"unit": december.unit.slug, "day": "2026-12-28"}).content.decode()
        assert WARNING not in html
        html = client.get(url, {"unit": january.unit.slug, "day": "không-phải-ngày"}).content.decode()
        assert WARNING not in html
        # Holding the January time: the check page quotes January's fee.
        assert client.post(url, picker_post(january)).status_code == 302
        html = client.get(reverse("declarations:check")).content.decode()
        assert "70.000 đ" in html


def test_no_warning_for_a_free_reason(client, demo_data):
    with time_machine.travel(CHRISTMAS_EVE_2026, tick=False):
        walk(client)  # first card: free on both days
        slot = slot_on(date(2027, 1, 4))
        html = client.get(reverse("declarations:appointment"), {"unit": slot.unit.slug, "day": "2027-01-04"})
        assert WARNING not in html.content.decode()
