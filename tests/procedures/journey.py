"""Helpers that walk the generic procedure journey with Django's test client (form → time → code → done)."""

import re
from datetime import timedelta

from django.utils import timezone

from apps.appointments.selectors import slot_list_available, unit_list_for_procedure
from apps.notifications.models import OutboxMessage
from apps.procedures.models import Procedure

TODAY = timezone.localdate


def sample_data(slug: str) -> dict[str, str]:
    """Valid answers for each built-in procedure's form."""
    today = timezone.localdate()
    # The first step's notice (version 1, shipped by a migration) and declaration statement, ticked.
    contact = {"holder_name": "Nguyễn Văn An", "phone": "0901 234 567", "accept_notice": "1", "accept_declaration": "1"}
    address = {"province": "79", "ward": "27259", "street": "4 Xóm Chiếu"}
    return {
        "ho-chieu": {
            **contact,
            "id_number": "079203001234",
            "request_type": "expiring",
            "current_passport": "C1234567",
            "purpose": "tourism",
        },
        "dang-ky-xe": {
            **contact,
            "id_number": "079203001234",
            "request_type": "transfer",
            "vehicle_type": "motorbike",
            "plate": "59-X1 234.56",
        },
        "dang-ky-cu-tru": {
            **contact,
            **address,
            "id_number": "079203001234",
            "residence_type": "temporary",
            "accommodation": "rented",
            "stay_until": str(today + timedelta(days=180)),
        },
        "tam-tru-nguoi-nuoc-ngoai": {
            **contact,
            **address,
            "host_kind": "household",
            "guest_name": "John Smith",
            "nationality": "GBR",
            "passport_number": "123456789",
            "arrival": str(today),
            "departure": str(today + timedelta(days=10)),
        },
    }[slug]


def first_free_slot(procedure: Procedure):
    today = timezone.localdate()
    for unit in unit_list_for_procedure(procedure=procedure).order_by("order", "name"):
        for day in slot_list_available(unit=unit, procedure=procedure, start=today, end=today + timedelta(days=30)):
            for slot in day.slots:
                if slot.free:
                    return slot
    raise AssertionError(f"no free slot for {procedure.slug}")


def sent_code(phone: str = "+84901234567") -> str:
    body = OutboxMessage.objects.filter(recipient__contains=phone[-9:]).order_by("-id").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def book(client, capture, slug: str, data: dict | None = None):
    """Walk the whole journey; returns the final response (the done page)."""
    response = client.post(f"/thu-tuc/{slug}/", data or sample_data(slug))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/thu-tuc/{slug}/dat-lich/"
    slot = first_free_slot(Procedure.objects.get(slug=slug))
    response = client.post(f"/thu-tuc/{slug}/dat-lich/", {"slot": slot.value})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/thu-tuc/{slug}/xac-nhan/"
    with capture(execute=True):
        response = client.post(f"/thu-tuc/{slug}/xac-nhan/", {"action": "send"})
    assert response.status_code == 302
    with capture(execute=True):
        response = client.post(f"/thu-tuc/{slug}/xac-nhan/", {"action": "verify", "code": sent_code()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(f"/thu-tuc/{slug}/hoan-tat/")
    return client.get(response["Location"])
