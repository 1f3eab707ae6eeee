import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "officer-password-2026"


class OfficerFactory(factory.django.DjangoModelFactory):
    """A staff user; `units=[...]` and `roles=[group names]` after creation (roles need `roles_setup()` first)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


def appointment_create(*, unit, starts_at, status="booked", name="NGUYỄN VĂN A", procedure=None, **fields):
    """A booking as the journey leaves it (slot row, reference code, E.164 phone), without the booking rules."""
    from datetime import timedelta

    from apps.appointments.models import Appointment, Slot
    from apps.core.codes import code_generate
    from tests.appointments.factories import ProcedureFactory

    slot, _created = Slot.objects.get_or_create(
        unit=unit, starts_at=starts_at, defaults={"ends_at": starts_at + timedelta(minutes=15)}
    )
    defaults = {
        "reference": code_generate(),
        "holder_name": name,
        "phone": "+84901234567",
        "id_number": "079203001234",
        "booked_at": starts_at - timedelta(days=2),
    }
    if status == "held":
        defaults["hold_expires_at"] = starts_at
    return Appointment.objects.create(
        slot=slot, unit=unit, procedure=procedure or ProcedureFactory(), status=status, **{**defaults, **fields}
    )


def declaration_create(*, appointment=None, name="NGUYỄN VĂN A", id_number="079203001234", phone="+84901234567"):
    """A declaration as officers find it (the journey's own tests cover how citizens file it)."""
    from datetime import date

    from apps.core.codes import code_generate
    from apps.filings.models import Filing
    from tests.appointments.factories import ProcedureFactory

    return Filing.objects.create(
        code=appointment.reference if appointment else code_generate(),
        procedure=appointment.procedure if appointment else ProcedureFactory(),
        holder_name=name,
        birth_date=date(1990, 5, 17),
        phone=phone,
        language="vi",
        appointment=appointment,
        id_number=id_number,
        answers={"request_type": "issue", "reason": "first_card", "sex": "M"},
    )


def browser_sign_in(page, url: str, officer) -> None:
    """Open `url` in the browser and sign in as `officer` on admin's sign-in page, second factor included."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=officer, confirmed=True).first() or TOTPDevice.objects.create(
        user=officer, name="app", confirmed=True
    )
    page.goto(url)
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    if page.locator("#id_otp_token").count():
        page.fill("#id_otp_token", f"{totp(device.bin_key):06d}")
    page.click("input[type=submit]")


def filing_event_create(*, unit, n: int = 1, state: str = "received", at=None):
    """`n` moves of one filing booked at `unit` (rows of the back office's list of state changes)."""
    from django.utils import timezone

    from apps.filings.models import FilingEvent

    filing = declaration_create(appointment=appointment_create(unit=unit, starts_at=timezone.now()))
    FilingEvent.objects.bulk_create(
        FilingEvent(filing=filing, at=at or timezone.now(), source="submitted", state=state, username="x")
        for _i in range(n)
    )
    return FilingEvent.objects.filter(filing=filing).latest("id")
