"""Queue numbers: each arrival gets the next number of its unit's day (1, 2, 3… in order of check-in), keeps it
(undoing another arrival renumbers nobody), and the roster, its printout and the check-in page show it."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.models import Arrival
from apps.backoffice.services import appointment_check_in, appointment_check_in_undo

from .factories import appointment_create


def _today_at(hour, minute=0):
    return datetime.combine(timezone.localdate(), time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def three(ward_a):
    return [
        appointment_create(unit=ward_a, starts_at=_today_at(9, 0), name="NGƯỜI MỘT"),
        appointment_create(unit=ward_a, starts_at=_today_at(8, 0), name="NGƯỜI HAI"),
        appointment_create(unit=ward_a, starts_at=_today_at(10, 0), name="NGƯỜI BA"),
    ]


@pytest.mark.django_db
def test_numbers_follow_the_order_of_arrival_per_unit_and_day(counter_a, ward_a, ward_b, three, district_admin):
    first, second, third = three
    numbers = [appointment_check_in(appointment=a, user=counter_a, unit=ward_a).queue_number for a in three]
    assert numbers == [1, 2, 3]  # by arrival, not by booked time (the 08:00 booking came second)
    # Another unit's queue starts at 1.
    other = appointment_create(unit=ward_b, starts_at=_today_at(9, 0))
    assert appointment_check_in(appointment=other, user=district_admin, unit=ward_b).queue_number == 1
    # Undoing the second arrival leaves the others' numbers as they were; coming back takes a new number.
    appointment_check_in_undo(appointment=second, user=counter_a)
    assert dict(Arrival.objects.filter(unit=ward_a).values_list("appointment__holder_name", "queue_number")) == {
        "NGƯỜI MỘT": 1,
        "NGƯỜI BA": 3,
    }
    assert appointment_check_in(appointment=second, user=counter_a, unit=ward_a).queue_number == 4
    assert {a.day for a in Arrival.objects.all()} == {timezone.localdate()}


@pytest.mark.django_db
def test_a_new_day_starts_again_at_one(counter_a, ward_a, three):
    yesterday = timezone.now() - timedelta(days=1)
    appointment_check_in(appointment=three[0], user=counter_a, unit=ward_a, other_day_ok=True, now=yesterday)
    arrival = appointment_check_in(appointment=three[1], user=counter_a, unit=ward_a)
    assert arrival.queue_number == 1


@pytest.mark.django_db
def test_roster_printout_and_check_in_page_show_the_number(client, counter_a, ward_a, three):
    appointment_check_in(appointment=three[0], user=counter_a, unit=ward_a)
    client.force_login(counter_a)
    response = client.post(reverse("backoffice:check-in"), {"unit": ward_a.pk, "scan": three[2].reference})
    assert "Số thứ tự: <strong>2</strong>" in response.content.decode()
    roster = client.get(reverse("backoffice:roster"), {"unit": ward_a.pk})
    numbers = {r["appointment"].holder_name: r["arrival"] and r["arrival"].queue_number for r in roster.context["rows"]}
    assert numbers == {"NGƯỜI HAI": None, "NGƯỜI MỘT": 1, "NGƯỜI BA": 2}
    page = roster.content.decode()
    assert '<th scope="col" class="counter-queue">STT</th>' in page
    assert f'<tr id="appointment-{three[2].pk}">\n                <td class="counter-queue">2</td>' in page
    printed = client.get(reverse("backoffice:roster"), {"unit": ward_a.pk, "print": "1"}).content.decode()
    assert '<th scope="col">STT</th>' in printed
    assert "<td>2</td>" in printed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counters_checking_in_at_the_same_moment_never_share_a_number(role_groups, ward_a):
    """Sixty citizens of one unit checked in at once from twelve connections: numbers 1..60, each once. Without
    the lock on the unit's row, two check-ins read the same last number and one fails on the unique constraint."""
    from tests.appointments.racing import race

    from .factories import OfficerFactory

    officer = OfficerFactory(username="quay.dua", units=[ward_a], roles=["Cán bộ tiếp nhận tại quầy"])
    bookings = [appointment_create(unit=ward_a, starts_at=_today_at(8, 0), name=f"CÔNG DÂN {i}") for i in range(60)]
    outcomes = race(
        [lambda b=b: appointment_check_in(appointment=b, user=officer, unit=ward_a) for b in bookings], workers=12
    )
    assert outcomes.crashed == [] and outcomes.other == []
    assert sorted(Arrival.objects.filter(unit=ward_a).values_list("queue_number", flat=True)) == list(range(1, 61))
