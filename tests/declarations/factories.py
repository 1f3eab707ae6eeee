"""Valid answers for each step of the identity-card journey, as a browser posts them, and a submitted declaration."""

from apps.declarations import selectors, services
from apps.declarations.idnumbers import id_number_build
from apps.filings import services as filings_services

ID_NUMBER = id_number_build(province_code="079", birth_year=1990, sex="M", serial=123456)  # 079090123456


def request_data(**overrides) -> dict:
    # The privacy notice (version 1, shipped by a migration) accepted.
    return {"reason": "first_card", "applicant": "self", "accept_notice": "1", **overrides}


def about_data(**overrides) -> dict:
    return {
        "full_name": "Nguyễn Văn An",
        "birth_date": "05/09/1990",
        "sex": "M",
        "id_number": ID_NUMBER,
        "old_id_number": "",
        **overrides,
    }


def address_data(**overrides) -> dict:
    return {
        "permanent_province": "79",
        "permanent_ward": "27265",
        "permanent_old_name": "",
        "permanent_street": "12 Đoàn Văn Bơ",
        "current_same": "1",
        "current_province": "79",
        "current_ward": "",
        "current_old_name": "",
        "current_street": "",
        **overrides,
    }


def contact_data(**overrides) -> dict:
    return {
        "phone": "0912 345 678",
        "email": "",
        "channel": "sms",
        **overrides,
    }


STEP_DATA = {
    "": request_data,
    "ban-than": about_data,
    "dia-chi": address_data,
    "lien-he": contact_data,
}


def complete_draft(**per_step):
    """A draft with every form step answered (valid unless overridden)."""
    draft = filings_services.draft_create(procedure_slug="cap-cccd")
    for slug, builder in STEP_DATA.items():
        filings_services.draft_save_step(draft=draft, step=slug, data=builder(**per_step.get(slug, {})))
    return draft


def submitted_declaration(**per_step):
    draft = complete_draft(**per_step)
    answers, missing = selectors.draft_answers(draft=draft)
    assert missing is None, missing
    from apps.procedures.models import Procedure

    filing = filings_services.filing_create(
        procedure=Procedure.objects.get(slug=Procedure.IDENTITY_CARD),
        holder_name=answers["full_name"],
        phone=answers["phone"].as_e164,
        language="vi",
        answers=answers,
        birth_date=answers["birth_date"],
        id_number=answers["id_number"],
        email=answers.get("email") or "",
    )
    draft.filing = filing
    draft.save(update_fields=["filing"])
    return filing


def free_slot(*, unit_slug: str | None = None, skip: int = 0):
    """A free SlotOption at a unit receiving identity-card applications (the demo data's schedules)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.appointments.selectors import slot_list_available
    from apps.procedures.models import Procedure
    from apps.units.models import PoliceUnit

    procedure = Procedure.objects.get(slug=Procedure.IDENTITY_CARD)
    units = PoliceUnit.objects.filter(receives_id_applications=True, is_active=True, procedures=procedure)
    unit = units.get(slug=unit_slug) if unit_slug else units.filter(booking_schedule__is_active=True).first()
    today = timezone.localdate()
    found = []
    for day in slot_list_available(unit=unit, procedure=procedure, start=today, end=today + timedelta(days=20)):
        found.extend(s for s in day.slots if not s.is_full)
        if len(found) > skip:
            return found[skip]
    raise AssertionError("no free slot in the demo data")


def picker_post(slot) -> dict:
    from django.utils import timezone

    return {"unit": slot.unit.slug, "day": timezone.localdate(slot.starts_at).isoformat(), "slot": slot.value}


def booked_declaration(*, slot=None, **per_step):
    """A declaration submitted the way the journey does it: hold, verified phone, declaration_submit."""
    from apps.procedures.models import Procedure

    draft = complete_draft(**per_step)
    answers, missing = selectors.draft_answers(draft=draft)
    assert missing is None, missing
    slot = slot or free_slot()
    filings_services.draft_hold(
        draft=draft,
        procedure=Procedure.objects.get(slug=Procedure.IDENTITY_CARD),
        unit=slot.unit,
        starts_at=slot.starts_at,
        phone=answers["phone"].as_e164,
        id_number=answers["id_number"],
    )
    draft.verified_phone = answers["phone"].as_e164
    return services.declaration_submit(draft=draft, answers=answers, language="vi")
