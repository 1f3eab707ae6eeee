import pytest


@pytest.fixture(autouse=True)
def _report_photos_in_tmp(settings, tmp_path):
    settings.REPORTS_PHOTO_ROOT = tmp_path / "report-photos"
