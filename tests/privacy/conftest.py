from tests.backoffice.conftest import district, role_groups, ward_a  # noqa: F401 - shared fixtures
