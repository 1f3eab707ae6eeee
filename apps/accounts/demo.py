"""Demo officer accounts, for a developer's machine only (the command refuses them when DEBUG is off)."""

from django.conf import settings
from django.contrib.auth import get_user_model

from apps.units.models import PoliceUnit

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed on the console, DEBUG only
ACCOUNTS = [
    # username, full name, superuser, unit slugs
    ("admin", "Quản trị hệ thống", True, []),
    ("canbo.quan4", "Nguyễn Văn An", False, ["cong-an-quan-4"]),
    ("canbo.phuong1", "Trần Thị Bình", False, ["cong-an-phuong-1-quan-4"]),
    ("canbo.phuong8", "Lê Văn Cường", False, ["cong-an-phuong-8-quan-4"]),
]


def load(*, stdout) -> None:
    if not settings.DEBUG:
        stdout.write("Demo accounts NOT created: DEBUG is off (demo passwords are public).")
        return
    User = get_user_model()
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}), at /{settings.ADMIN_URL}:")
    for username, full_name, superuser, unit_slugs in ACCOUNTS:
        last, _, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True, "is_superuser": superuser},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if unit_slugs:
            user.units.set(PoliceUnit.objects.filter(slug__in=unit_slugs))
        stdout.write(f"  {username:<16} {full_name}{' (superuser)' if superuser else ''}")
