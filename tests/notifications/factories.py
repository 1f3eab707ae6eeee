import factory

from apps.notifications.models import Kind, Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Kind.FILING_CONFIRMED
    language = "vi"
    phone = "+84912345678"
    context = factory.LazyFunction(
        lambda: {"name": "Nguyễn Văn An", "reference": "K7MX3PQ9R", "unit": "Công an Phường 1"}
    )
    idempotency_key = factory.Sequence(lambda n: f"key-{n:08d}")
    verification_code = factory.Sequence(lambda n: f"V{n:07d}")


def booked_appointment(*, starts_at, phone="+84912345678", status="booked", reference="Q4KM7XPA3", unit=None):
    """A booked appointment at `starts_at` (the appointments app's models, written directly)."""
    from datetime import timedelta

    from apps.appointments.models import Appointment, Slot
    from tests.appointments.factories import ProcedureFactory
    from tests.units.factories import WardUnitFactory

    unit = unit or WardUnitFactory(name="Công an Phường Khánh Hội", name_en="Khanh Hoi Ward Police")
    ends_at = starts_at + timedelta(minutes=15)
    slot, _ = Slot.objects.get_or_create(unit=unit, starts_at=starts_at, defaults={"ends_at": ends_at})
    return Appointment.objects.create(
        slot=slot,
        unit=unit,
        procedure=ProcedureFactory(),
        status=status,
        reference=reference,
        holder_name="Lê Văn Cường",
        phone=phone,
    )
