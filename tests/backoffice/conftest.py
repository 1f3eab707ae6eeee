import pytest

from apps.backoffice import roles
from apps.backoffice.services import roles_setup
from tests.units.factories import PoliceUnitFactory, WardUnitFactory

from .factories import OfficerFactory


@pytest.fixture
def role_groups(db):
    roles_setup()


@pytest.fixture
def district(db):
    return PoliceUnitFactory(name="Công an Quận 4", slug="cong-an-quan-4-test")


@pytest.fixture
def ward_a(district):
    return WardUnitFactory(parent=district, name="Công an Phường 1", slug="phuong-1-test")


@pytest.fixture
def ward_b(district):
    return WardUnitFactory(parent=district, name="Công an Phường 8", slug="phuong-8-test")


@pytest.fixture
def unit_admin_a(role_groups, ward_a):
    return OfficerFactory(username="quantri.p1", units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR])


@pytest.fixture
def counter_a(role_groups, ward_a):
    return OfficerFactory(username="quay.p1", units=[ward_a], roles=[roles.COUNTER_OFFICER])


@pytest.fixture
def district_admin(role_groups, district):
    return OfficerFactory(username="quantri.q4", units=[district], roles=[roles.DISTRICT_ADMINISTRATOR])
