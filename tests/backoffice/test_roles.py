from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from apps.backoffice import roles
from apps.backoffice.services import roles_setup

pytestmark = pytest.mark.django_db


def _perms(name):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()}


def test_every_role_is_created_with_its_permissions():
    roles_setup()
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    district = _perms(roles.DISTRICT_ADMINISTRATOR)
    assert {"backoffice.access_all_units", "backoffice.view_auditlogentry", "units.add_policeunit"} <= district
    unit_admin = _perms(roles.UNIT_ADMINISTRATOR)
    assert {"units.change_policeunit", "units.add_unitphone", "units.change_openinghours"} <= unit_admin
    assert "units.add_policeunit" not in unit_admin
    assert "backoffice.access_all_units" not in unit_admin
    assert "backoffice.check_in" in _perms(roles.COUNTER_OFFICER)
    for name in roles.ROLES:
        if name != roles.DISTRICT_ADMINISTRATOR:
            assert "backoffice.view_auditlogentry" not in _perms(name), name


def test_roles_setup_is_idempotent_and_repairs_changes():
    roles_setup()
    group = Group.objects.get(name=roles.REVIEWER)
    before = _perms(roles.REVIEWER)
    group.permissions.clear()
    roles_setup()
    roles_setup()
    assert _perms(roles.REVIEWER) == before
    assert Group.objects.filter(name=roles.REVIEWER).count() == 1


def test_setup_roles_command():
    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert roles.COUNTER_OFFICER in out.getvalue()
    assert Group.objects.filter(name__in=roles.ROLES).count() == len(roles.ROLES)


def test_demo_gives_the_demo_officers_roles(settings):
    settings.DEBUG = True
    from django.contrib.auth import get_user_model

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    user = get_user_model().objects.get(username="canbo.phuong1")
    assert set(user.groups.values_list("name", flat=True)) >= {
        roles.UNIT_ADMINISTRATOR,
        roles.REVIEWER,
        roles.COUNTER_OFFICER,
    }
    assert get_user_model().objects.get(username="canbo.quan4").has_perm("backoffice.access_all_units")
