import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _report_photos_in_tmp(settings, tmp_path):
    settings.REPORTS_PHOTO_ROOT = tmp_path / "report-photos"


@pytest.fixture(autouse=True)
def _reset_language():
    """Requests to /en/ pages leave English active in the thread; later tests expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
