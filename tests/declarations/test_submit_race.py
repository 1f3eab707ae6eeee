"""No overbooking, ever: many citizens submitting for the last places of one slot at the same moment on
PostgreSQL get exactly the capacity; the others are refused with alternatives, their drafts intact."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.appointments.models import Appointment, AppointmentStatus, BookingSchedule
from apps.appointments.services import SlotUnavailable, appointment_hold
from apps.declarations import selectors, services
from apps.declarations.idnumbers import id_number_build
from apps.filings.models import Draft, Filing
from apps.procedures.models import Procedure

from .factories import complete_draft, free_slot

CAPACITY = 3
CITIZENS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_slot_with_capacity_n_accepts_exactly_n_racing_submissions():
    call_command("load_demo", stdout=StringIO())
    slot = free_slot()
    BookingSchedule.objects.filter(unit=slot.unit).update(capacity=CAPACITY)
    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    hold_minutes = 15
    drafts = []
    for n in range(CITIZENS):
        number = id_number_build(province_code="079", birth_year=1990, sex="M", serial=1000 + n)
        draft = complete_draft(
            **{"ban-than": {"id_number": number}, "lien-he": {"phone": f"09123{n:05d}"}},
        )
        answers, missing = selectors.draft_answers(draft=draft)
        assert missing is None
        # Each citizen held the place earlier; every hold has lapsed (the slot looks free to all of them).
        held_at = timezone.now() - timedelta(minutes=(hold_minutes + 1) * (CITIZENS - n))
        draft.hold = appointment_hold(
            unit=slot.unit,
            procedure=procedure,
            starts_at=slot.starts_at,
            phone=answers["phone"].as_e164,
            id_number=number,
            holder_key=f"draft:{draft.id}",
            now=held_at,
        )
        draft.verified_phone = answers["phone"].as_e164
        draft.save()
        drafts.append(draft.id)

    barrier = threading.Barrier(CITIZENS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def citizen(draft_id):
        try:
            draft = Draft.objects.select_related("hold__unit", "hold__slot").get(id=draft_id)
            answers, _ = selectors.draft_answers(draft=draft)
            barrier.wait(timeout=30)
            try:
                services.declaration_submit(draft=draft, answers=answers, language="vi")
                result = "booked"
            except SlotUnavailable as error:
                result = "full" if error.code == "full" and error.alternatives else f"refused:{error.code}"
            except Exception as error:  # recorded for the assertion below
                result = f"error:{type(error).__name__}:{error}"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=citizen, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == CITIZENS, outcomes
    assert outcomes.count("booked") == CAPACITY, outcomes
    assert outcomes.count("full") == CITIZENS - CAPACITY, outcomes
    assert Filing.objects.count() == CAPACITY
    booked = Appointment.objects.filter(slot__starts_at=slot.starts_at, unit=slot.unit, status=AppointmentStatus.BOOKED)
    assert booked.count() == CAPACITY
    assert set(booked.values_list("reference", flat=True)) == set(Filing.objects.values_list("code", flat=True))
    # No declaration is lost: every refused citizen still has a complete, open draft to pick another time.
    open_drafts = Draft.objects.filter(filing__isnull=True)
    assert open_drafts.count() == CITIZENS - CAPACITY
    for draft in open_drafts:
        assert selectors.draft_answers(draft=draft)[1] is None
