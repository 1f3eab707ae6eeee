"""Roles for everyone; with DEBUG on (demo officers), sensible roles for the officers of apps/accounts/demo.py
and a few bookings at Ward 1's counter so the roster and the check-in have someone to receive."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.codes import check_character

from . import roles
from .services import roles_setup

DEMO_ROLES = {
    "canbo.quan4": [roles.DISTRICT_ADMINISTRATOR],
    "canbo.phuong1": [roles.UNIT_ADMINISTRATOR, roles.REVIEWER, roles.COUNTER_OFFICER],
    "canbo.phuong8": [roles.COUNTER_OFFICER, roles.REPORT_HANDLER],
}

# DEBUG only: every demo officer's authenticator device uses this public key, so one code signs any of them in
# (`manage.py otp_demo_code` prints it). Never used when DEBUG is off: demo accounts do not exist then.
DEMO_TOTP_KEY = "4445d04d4f2d504f5254414c2d32303236"  # hex, 17 bytes

COUNTER_UNIT = "cong-an-phuong-1-quan-4"
# Citizens booked at the counter (name, phone, card number); codes are fixed so that loading twice adds nothing.
CITIZENS = [
    ("NGUYỄN VĂN AN", "+84901000101", "079090000101"),
    ("TRẦN THỊ BÌNH", "+84901000102", "079190000102"),
    ("LÊ HOÀNG CƯỜNG", "+84901000103", "079090000103"),
    ("PHẠM THỊ DUNG", "+84901000104", "079190000104"),
    ("VÕ MINH ĐỨC", "+84901000105", "079090000105"),
]


def _code(n: int) -> str:
    payload = f"QUAYDEM{'ABCDEFGH'[n]}"
    return payload + check_character(payload)


def _demo_bookings(*, stdout) -> None:
    from apps.appointments.models import Appointment
    from apps.appointments.selectors import slot_list_nearest
    from apps.appointments.services import appointment_book, appointment_hold
    from apps.procedures.models import Procedure
    from apps.units.models import PoliceUnit

    codes = [_code(n) for n in range(len(CITIZENS))]
    unit = PoliceUnit.objects.filter(slug=COUNTER_UNIT).first()
    procedure = Procedure.objects.filter(slug=Procedure.IDENTITY_CARD).first()
    if unit is None or procedure is None or Appointment.objects.filter(reference__in=codes).exists():
        return
    slots = slot_list_nearest(unit=unit, procedure=procedure, near=timezone.now(), limit=len(CITIZENS), other_units=0)
    booked = 0
    for code, (name, phone, id_number), slot in zip(codes, CITIZENS, slots, strict=False):
        try:
            held = appointment_hold(
                unit=unit,
                procedure=procedure,
                starts_at=slot.starts_at,
                phone=phone,
                id_number=id_number,
                holder_key=f"demo-{code}",
            )
            appointment_book(appointment=held, reference=code, holder_name=name)
        except ValidationError as error:
            stdout.write(f"  demo booking {code} not made: {' '.join(error.messages)}")
            continue
        booked += 1
    stdout.write(f"Counter bookings at {unit}: {booked} (see /{settings.ADMIN_URL}quay/)")


def load(*, stdout) -> None:
    roles_setup()
    stdout.write(f"Roles: {', '.join(roles.ROLES)}")
    if not settings.DEBUG:
        return
    # With the demo officers only (DEBUG): someone for canbo.phuong1 to receive at the counter.
    _demo_bookings(stdout=stdout)
    User = get_user_model()
    for username, names in DEMO_ROLES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        user.groups.add(*Group.objects.filter(name__in=names))
        stdout.write(f"  {username:<16} {', '.join(names)}")
    _demo_devices(stdout=stdout)


def _demo_devices(*, stdout) -> None:
    from base64 import b32encode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.demo import ACCOUNTS

    for user in get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS]):
        TOTPDevice.objects.get_or_create(
            user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True, "tolerance": 2}
        )
    key = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode().rstrip("=")
    stdout.write(
        "Second factor of the demo officers (the same for all): the code from "
        "`python manage.py otp_demo_code`, or add the key " + key + " to an authenticator app."
    )
