"""Roles for everyone, and sensible roles for the demo officers of apps/accounts/demo.py (DEBUG only)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles
from .services import roles_setup

DEMO_ROLES = {
    "canbo.quan4": [roles.DISTRICT_ADMINISTRATOR],
    "canbo.phuong1": [roles.UNIT_ADMINISTRATOR, roles.REVIEWER, roles.COUNTER_OFFICER],
    "canbo.phuong8": [roles.COUNTER_OFFICER, roles.REPORT_HANDLER],
}


def load(*, stdout) -> None:
    roles_setup()
    stdout.write(f"Roles: {', '.join(roles.ROLES)}")
    if not settings.DEBUG:
        return
    User = get_user_model()
    for username, names in DEMO_ROLES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        user.groups.add(*Group.objects.filter(name__in=names))
        stdout.write(f"  {username:<16} {', '.join(names)}")
