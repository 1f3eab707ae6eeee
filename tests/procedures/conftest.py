import pytest


@pytest.fixture(autouse=True)
def _default_language():
    """A request under /en/ leaves English active in the test thread: start each test in Vietnamese."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _outbox_only(settings):
    """No real message channel: confirmation codes and messages go to the database outbox."""
    settings.ZALO_APP_ID = settings.ESMS_API_KEY = settings.EMAIL_HOST = ""
