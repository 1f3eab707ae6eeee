import pytest

from tests.backoffice.conftest import counter_a, district, district_admin, role_groups, ward_a, ward_b  # noqa: F401


@pytest.fixture(autouse=True)
def exports_storage(settings, tmp_path):
    """Exports written to a real folder of the test's own (the file-system storage, as on the embedded default)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    return tmp_path / "exports"
