import pytest


@pytest.fixture(autouse=True)
def _embedded_channels(settings):
    """No real channel configured unless a test configures one: messages go to the outbox."""
    settings.ZALO_APP_ID = ""
    settings.ZALO_APP_SECRET = ""
    settings.ESMS_API_KEY = ""
    settings.ESMS_SECRET_KEY = ""
    settings.EMAIL_HOST = ""
    settings.SITE_URL = "https://cccd.example.vn"


@pytest.fixture
def send_confirmation():
    from apps.notifications.services import notification_send

    def send(**overrides):
        arguments = {
            "kind": "declaration_confirmed",
            "language": "vi",
            "context": {
                "name": "Nguyễn Văn An",
                "code": "K7MX-3PQ9-R",
                "unit": "Công an Phường Xóm Chiếu",
                "address": "4 Xóm Chiếu",
                "date": "02/12/2026",
                "time": "08:30",
                "url": "https://cccd.example.vn/tra-cuu/",
            },
            "phone": "0912 345 678",
            **overrides,
        }
        return notification_send(**arguments)

    return send
