"""Officers' side: schedules and closures list the bookings they affect, the week view, moving, cancelling."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.accounts.models import User
from apps.appointments.models import Appointment, AppointmentStatus, Closure, OfficialDay
from apps.appointments.services import appointment_book, appointment_hold
from apps.backoffice.models import AuditAction, AuditLogEntry
from apps.notifications.models import Notification

from .conftest import at
from .factories import BookingScheduleFactory, ClosureFactory

pytestmark = pytest.mark.django_db

WED_9 = at(2026, 12, 2, 9, 0)


def _book(unit, procedure, starts_at=WED_9, n=1):
    hold = appointment_hold(
        unit=unit, procedure=procedure, starts_at=starts_at, phone=f"09120000{n:02d}", holder_key=f"k{n}"
    )
    return appointment_book(appointment=hold, reference=f"REF{n}", holder_name=f"Nguyễn Văn {n}")


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _schedule_form(schedule, **changes):
    data = {
        "unit": schedule.unit.pk,
        "slot_minutes": schedule.slot_minutes,
        "capacity": schedule.capacity,
        "lead_time_hours": schedule.lead_time_hours,
        "horizon_days": schedule.horizon_days,
        "is_active": "on",
        "procedure_capacities-TOTAL_FORMS": "0",
        "procedure_capacities-INITIAL_FORMS": "0",
        "procedure_capacities-MIN_NUM_FORMS": "0",
        "procedure_capacities-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_lowering_capacity_in_admin_lists_the_bookings_to_move(admin_client, unit, procedure, schedule, frozen_now):
    first = _book(unit, procedure, n=1)
    second = _book(unit, procedure, n=2)
    url = reverse("admin:appointments_bookingschedule_change", args=[schedule.pk])
    response = admin_client.post(url, _schedule_form(schedule, capacity=1), follow=True)
    html = _text(response)
    assert '<li class="warning">1 lịch hẹn sắp tới không còn phù hợp' in html
    assert reverse("admin:appointments_appointment_move", args=[second.pk]) in html
    assert reverse("admin:appointments_appointment_move", args=[first.pk]) not in html
    schedule.refresh_from_db()
    assert schedule.capacity == 1
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 2
    # The affected list page shows it too, and the changelist counts it.
    html = _text(admin_client.get(reverse("admin:appointments_bookingschedule_affected", args=[schedule.pk])))
    assert "REF2" in html and "REF1" not in html
    html = _text(admin_client.get(reverse("admin:appointments_bookingschedule_changelist")))
    assert f'{reverse("admin:appointments_bookingschedule_affected", args=[schedule.pk])}"><strong>1</strong>' in html


def test_adding_a_closure_in_admin_lists_the_bookings_inside_it(admin_client, unit, procedure, frozen_now):
    booked = _book(unit, procedure)
    response = admin_client.post(
        reverse("admin:appointments_closure_add"),
        {
            "unit": unit.pk,
            "starts_at_0": "2026-12-02",
            "starts_at_1": "07:00",
            "ends_at_0": "2026-12-02",
            "ends_at_1": "12:00",
            "reason": "Tập huấn",
            "reason_en": "",
        },
        follow=True,
    )
    assert Closure.objects.count() == 1, _text(response)[:3000]
    assert reverse("admin:appointments_appointment_move", args=[booked.pk]) in _text(response)


def test_an_official_day_off_in_admin_lists_the_bookings_of_that_day(admin_client, unit, procedure, frozen_now):
    booked = _book(unit, procedure)
    response = admin_client.post(
        reverse("admin:appointments_officialday_add"),
        {"date": "2026-12-02", "kind": "day_off", "name": "Nghỉ bù", "name_en": "", "hours_of_weekday": "0"},
        follow=True,
    )
    assert OfficialDay.objects.count() == 1
    assert reverse("admin:appointments_appointment_move", args=[booked.pk]) in _text(response)


def test_week_view_shows_booked_and_free_places(admin_client, unit, procedure, schedule, frozen_now):
    _book(unit, procedure, n=1)
    appointment_hold(unit=unit, procedure=procedure, starts_at=WED_9, phone="0912000099", holder_key="x")
    response = admin_client.get(
        reverse("admin:appointments_bookingschedule_week", args=[schedule.pk]) + "?start=2026-12-02"
    )
    html = _text(response)
    assert response.status_code == 200
    assert "30/11" in html and "06/12" in html  # the week from Monday
    assert '<td class="week-full"> 1 / 2 (+1) </td>' in html
    assert '<td class="week-free">0 / 2</td>' in html
    assert "?start=2026-12-07" in html
    assert "Bầu cử" not in html
    ClosureFactory(unit=unit, starts_at=at(2026, 12, 3, 13), ends_at=at(2026, 12, 3, 18), reason="Bầu cử")
    html = _text(
        admin_client.get(reverse("admin:appointments_bookingschedule_week", args=[schedule.pk]) + "?start=2026-12-02")
    )
    assert "Bầu cử" in html


def test_move_an_appointment_from_admin(admin_client, unit, procedure, frozen_now, django_capture_on_commit_callbacks):
    booked = _book(unit, procedure)
    url = reverse("admin:appointments_appointment_move", args=[booked.pk])
    html = _text(admin_client.get(url))
    assert f'value="{unit.pk}@202612020845"' in html
    html = _text(admin_client.get(url + "?day=2026-12-03"))
    assert f'value="{unit.pk}@202612031645"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"slot": f"{unit.pk}@202612031645", "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    booked.refresh_from_db()
    assert booked.slot.starts_at == at(2026, 12, 3, 16, 45) and booked.reference == "REF1"
    # The citizen is told, and the move is in the audit log.
    assert Notification.objects.filter(kind="appointment_moved", phone=booked.phone).count() == 1
    entry = AuditLogEntry.objects.get(object_id=str(booked.pk), action=AuditAction.RESCHEDULE)
    assert entry.detail.endswith("03/12/2026 16:45")
    response = admin_client.post(url, {"slot": "nonsense"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_cancel_action_asks_for_a_reason_then_calls_the_service(
    admin_client, unit, procedure, frozen_now, django_capture_on_commit_callbacks
):
    booked = _book(unit, procedure)
    url = reverse("admin:appointments_appointment_changelist")
    # The action first shows what will happen and asks for the reason (apps.backoffice's confirmation page).
    response = admin_client.post(url, {"action": "cancel_selected", "_selected_action": [booked.pk]})
    assert response.status_code == 200
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {"action": "cancel_selected", "_selected_action": [booked.pk], "confirm": "yes", "reason": "Mất điện"},
            follow=True,
        )
    assert response.status_code == 200
    booked.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == (AppointmentStatus.CANCELLED, "Mất điện")
    message = Notification.objects.get(kind="appointment_cancelled", phone=booked.phone)
    assert message.context["reason"] == "Mất điện"


def test_appointment_changelist_and_search(admin_client, unit, procedure, frozen_now):
    _book(unit, procedure, n=1)
    _book(unit, procedure, n=2)
    url = reverse("admin:appointments_appointment_changelist")
    # The one search (apps.backoffice.search): the phone in any form, or the name without accents.
    for term in ("0912000001", "+84 912 000 001", "nguyen van 1"):
        html = _text(admin_client.get(url, {"q": term}))
        assert "Nguyễn Văn 1" in html and "Nguyễn Văn 2" not in html, term


def test_officers_see_only_their_units(client, unit, procedure, schedule, frozen_now):
    other = BookingScheduleFactory()
    officer = User.objects.create_user("officer", password="x-long-password", is_staff=True)
    officer.units.add(unit)
    officer.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="appointments", codename__startswith="view_")
    )
    client.force_login(officer)
    html = _text(client.get(reverse("admin:appointments_bookingschedule_changelist")))
    assert str(unit) in html and str(other.unit) not in html
    assert client.get(reverse("admin:appointments_bookingschedule_week", args=[schedule.pk])).status_code == 200
    assert client.get(reverse("admin:appointments_bookingschedule_week", args=[other.pk])).status_code == 404
