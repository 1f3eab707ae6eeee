"""apps.notifications.services is split by concern, each module importable on its own (no import cycle), and the
names other apps use stay importable from the package."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["phones", "sending", "delivery", "otp", "followers", "zalo_token", "resealing"]


@pytest.mark.parametrize("name", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(name):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.test'); django.setup(); "
        f"import importlib; importlib.import_module('apps.notifications.services.{name}')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_concerns_live_in_their_modules():
    where = {
        "notification_send": "sending",
        "notification_resend": "sending",
        "notification_deliver": "delivery",
        "notification_requeue_due": "delivery",
        "otp_issue": "otp",
        "otp_verify": "otp",
        "zalo_follower_touch": "followers",
        "zalo_window_is_open": "followers",
        "zalo_token_get": "zalo_token",
        "zalo_token_refresh": "zalo_token",
        "phone_normalize": "phones",
        "sealed_values_reseal": "resealing",
    }
    package = importlib.import_module("apps.notifications.services")
    for name, module in where.items():
        assert getattr(package, name).__module__ == f"apps.notifications.services.{module}", name


def test_the_lower_modules_do_not_import_the_higher_ones():
    source = {n: (ROOT / "apps/notifications/services" / f"{n}.py").read_text() for n in MODULES}
    assert "from ." not in source["phones"]
    for lower, higher in [
        ("sending", "otp"),
        ("sending", "delivery"),
        ("followers", "delivery"),
        ("zalo_token", "resealing"),
    ]:
        assert f"from .{higher} import" not in source[lower], (lower, higher)
