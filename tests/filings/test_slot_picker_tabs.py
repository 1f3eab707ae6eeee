"""Issue 12.11 at the slot picker: a time picked on a page opened before another tab changed the draft (or chose a
time) is refused with a message saying so, and nothing is held or released: the newer choice is kept, no second
place is held. Two tabs posting the picker at the same moment from the same page: one holds, the other is told."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from apps.appointments.models import Appointment, AppointmentStatus
from apps.appointments.services import appointment_hold
from apps.filings import services
from apps.filings.models import Draft
from apps.procedures.models import Procedure
from tests.declarations.factories import complete_draft, free_slot, picker_post
from tests.declarations.test_journey import walk
from tests.procedures.journey import sample_data

CONFLICT = "nên giờ bạn chọn ở trang này không được giữ"
PASSPORT = "/thu-tuc/ho-chieu/"
APPOINTMENT = "/thu-tuc/cap-cccd/lich-hen/"


def version_in(html: str) -> str:
    return re.search(r'name="draft_version" value="(\d+)"', html).group(1)


def passport_slots(count: int):
    from datetime import timedelta

    from django.utils import timezone

    from apps.appointments.selectors import slot_list_available, unit_list_for_procedure

    procedure = Procedure.objects.get(slug="ho-chieu")
    unit = unit_list_for_procedure(procedure=procedure).first()
    today = timezone.localdate()
    days = slot_list_available(unit=unit, procedure=procedure, start=today, end=today + timedelta(days=30))
    slots = [s for day in days for s in day.slots if s.free]
    return slots[:count]


def picker_page(client, path: str, slot) -> str:
    from django.utils import timezone

    day = timezone.localdate(slot.starts_at).isoformat()
    return client.get(f"{path}?unit={slot.unit.slug}&day={day}").content.decode()


def held(draft: Draft):
    return list(Appointment.objects.filter(holder_key=f"draft:{draft.id}", status=AppointmentStatus.HELD))


@pytest.mark.django_db
def test_other_procedure_a_time_from_an_older_tab_is_refused_and_the_newer_one_kept(client, demo_data):
    client.post(PASSPORT, sample_data("ho-chieu"))
    first, second = passport_slots(2)
    old_tab = version_in(picker_page(client, f"{PASSPORT}dat-lich/", second))
    new_tab = version_in(picker_page(client, f"{PASSPORT}dat-lich/", first))
    assert client.post(f"{PASSPORT}dat-lich/", {"slot": first.value, "draft_version": new_tab})["Location"] == (
        f"{PASSPORT}xac-nhan/"
    )
    response = client.post(f"{PASSPORT}dat-lich/", {"slot": second.value, "draft_version": old_tab}, follow=True)
    html = response.content.decode()
    draft = Draft.objects.get()
    assert [a.pk for a in held(draft)] == [draft.hold_id] and draft.hold.starts_at == first.starts_at
    assert not Appointment.objects.filter(slot__starts_at=second.starts_at, unit=second.unit).exists()
    assert CONFLICT in html and f"Giờ đang được giữ cho bạn: {first.local_start:%H:%M}" in html
    # Shown at the kept time's day, with the kept time chosen.
    assert f'value="{first.value}" checked' in html


@pytest.mark.django_db
def test_identity_card_a_time_from_an_older_tab_is_refused_and_the_newer_one_kept(client, demo_data):
    walk(client)
    first, second = free_slot(), free_slot(skip=1)
    old_tab = version_in(picker_page(client, APPOINTMENT, second))
    client.post(
        APPOINTMENT, {**picker_post(first), "draft_version": version_in(picker_page(client, APPOINTMENT, first))}
    )
    response = client.post(APPOINTMENT, {**picker_post(second), "draft_version": old_tab}, follow=True)
    html = response.content.decode()
    draft = Draft.objects.get()
    assert response.redirect_chain == [(APPOINTMENT, 302)]
    assert [a.pk for a in held(draft)] == [draft.hold_id] and draft.hold.starts_at == first.starts_at
    assert CONFLICT in html and "Bạn đã chọn" in html
    # Picked again from the page now shown, the new time is held.
    now_shown = version_in(picker_page(client, APPOINTMENT, second))
    response = client.post(APPOINTMENT, {**picker_post(second), "draft_version": now_shown})
    assert response["Location"] == "/thu-tuc/cap-cccd/kiem-tra/"
    assert Draft.objects.get().hold.starts_at == second.starts_at and len(held(draft)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("journey", ["cap-cccd", "ho-chieu"])
def test_a_double_tap_on_keep_this_time_goes_on_with_the_one_hold(client, demo_data, journey):
    """The same time posted twice from one page (a double tap): not "changed in another tab"; both requests lead
    on, and the draft holds one place."""
    if journey == "cap-cccd":
        walk(client)
        slot, path, data, onward = free_slot(), APPOINTMENT, picker_post, "/thu-tuc/cap-cccd/kiem-tra/"
    else:
        client.post(PASSPORT, sample_data("ho-chieu"))
        [slot] = passport_slots(1)
        path, onward = f"{PASSPORT}dat-lich/", f"{PASSPORT}xac-nhan/"

        def data(slot):
            return {"slot": slot.value}

    page_version = version_in(picker_page(client, path, slot))
    first = client.post(path, {**data(slot), "draft_version": page_version})
    second = client.post(path, {**data(slot), "draft_version": page_version}, follow=True)
    assert first["Location"] == onward and second.redirect_chain[0][0] == onward
    assert CONFLICT not in second.content.decode()
    draft = Draft.objects.get()
    assert [a.pk for a in held(draft)] == [draft.hold_id]


@pytest.mark.django_db
def test_identity_card_cached_picker_carries_each_drafts_own_version(client, demo_data):
    """The time step's HTML is cached for every citizen; each page still posts its own draft's version."""
    walk(client)
    other = Client()
    walk(other)
    Draft.objects.filter(key__in=[d.key for d in Draft.objects.all()[:1]]).update(version=41)
    slot = free_slot()
    versions = {version_in(picker_page(browser, APPOINTMENT, slot)) for browser in (client, other)}
    assert versions == {str(d.version) for d in Draft.objects.all()} and "41" in versions


@pytest.mark.django_db
def test_a_hold_replacing_another_than_the_live_one_changes_nothing(demo_data):
    draft = complete_draft()
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    first, second = free_slot(), free_slot(skip=1)
    kwargs = {"procedure": procedure, "phone": "+84912345678", "holder_key": f"draft:{draft.id}"}
    live = appointment_hold(unit=first.unit, starts_at=first.starts_at, replacing=None, **kwargs)
    with pytest.raises(ValidationError) as refused:
        appointment_hold(unit=second.unit, starts_at=second.starts_at, replacing=None, **kwargs)
    assert refused.value.code == "hold_changed"
    assert list(Appointment.objects.filter(status=AppointmentStatus.HELD)) == [live]
    newer = appointment_hold(unit=second.unit, starts_at=second.starts_at, replacing=live.pk, **kwargs)
    assert list(Appointment.objects.filter(status=AppointmentStatus.HELD)) == [newer]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_holding_at_the_same_moment_one_holds_the_other_is_told(demo_data):
    """PostgreSQL: two requests from the same page (same draft version) hold two times at once. Exactly one holds;
    the other is told and holds nothing, so the draft points at the one live hold. Without the `replacing` check
    both would hold, the second releasing the first, and the draft could point at the released one."""
    draft = complete_draft()
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    slots = [free_slot(), free_slot(skip=1)]
    barrier = threading.Barrier(2)
    outcomes = []

    def tab(slot) -> None:
        try:
            mine = Draft.objects.get(pk=draft.pk)
            barrier.wait()
            services.draft_hold(
                draft=mine,
                procedure=procedure,
                unit=slot.unit,
                starts_at=slot.starts_at,
                phone="+84912345678",
                version=mine.version,
            )
            outcomes.append("held")
        except services.DraftConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "held"]
    live = held(draft)
    assert len(live) == 1 and Draft.objects.get(pk=draft.pk).hold_id == live[0].pk
