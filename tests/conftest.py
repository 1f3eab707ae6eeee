"""Project-wide fixtures and the rules for tests that need real services or a browser.

* ``@pytest.mark.postgres`` / ``@pytest.mark.redis``: run against the real service given by DATABASE_URL /
  REDIS_URL. Without it they are skipped on a developer's machine, and fail under CI (CI=true), where the
  services must be there.
* ``@pytest.mark.browser``: drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) through Playwright;
  skipped with a reason when no browser is installed, except under CI where .ci/run installs it.
* Every test is kept off the network: any connection to a non-loopback address fails the test.
* ``--clock=2027-01-04`` (or ``PORTAL_TEST_CLOCK``) moves the clock of the whole session to that day, 10:00 in
  Vietnam (or to a full ISO date-time), ticking from there: the suite must pass on any date, so CI runs it again
  on a later day. Tests that pin the clock themselves (time-machine) still travel from there.
"""

import ipaddress
import os
import shutil
import socket

import pytest
from django.conf import settings
from django.core.cache import cache

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# --- Clock ----------------------------------------------------------------------------------------------------
def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("PORTAL_TEST_CLOCK", ""),
        help="run the whole session as if today were this date (YYYY-MM-DD, 10:00 Vietnam) or ISO date-time",
    )


_session_travel = None


def _clock_start(value: str):
    import datetime as dt
    import zoneinfo

    import time_machine

    moment = dt.datetime.fromisoformat(value)
    if len(value) == 10:  # a bare date: mid-morning in Vietnam, when offices are open
        moment = moment.replace(hour=10)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    travel = time_machine.travel(moment, tick=True)
    travel.start()
    return travel


def pytest_configure(config):
    global _session_travel
    value = config.getoption("--clock", default="")
    if value and _session_travel is None:
        _session_travel = _clock_start(value)


def pytest_report_header(config):
    value = config.getoption("--clock", default="")
    return f"clock moved to {value}" if value else None


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def _missing_service(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required under CI)", pytrace=False)
    pytest.skip(reason)


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        _missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if item.get_closest_marker("redis") and not _redis_reachable():
        _missing_service("needs Redis: set REDIS_URL=redis://... to a running server")
    if item.get_closest_marker("browser") and not chromium_path():
        _missing_service("needs Chromium: apt-get install chromium (or set CHROMIUM_PATH)")


# --- Network guard --------------------------------------------------------------------------------------------
_real_connect = socket.socket.connect


def _is_loopback(address) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX
        return True
    host = address[0]
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _is_loopback(address):
        raise AssertionError(f"A test tried to reach {address!r}: only loopback addresses are allowed.")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: a request under /en/ leaves English active in the test thread, which
    would otherwise leak into the next test's reverse() calls."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- Browser --------------------------------------------------------------------------------------------------
def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) else None


# Playwright's sync API runs an event loop in the test thread; the test itself still uses the ORM synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ZALO_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 Zalo android/12110801 ZaloTheme/light ZaloLanguage/vi"
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a browser download; flags keep it off the (closed) network.
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A cheap phone in Zalo's in-app browser: 360×740, Vietnamese."""
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "user_agent": ZALO_USER_AGENT,
        "locale": "vi-VN",
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def demo_data(db):
    """The District 4 scenario as `make run` loads it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())


# --- Officers' second factor --------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _officers_signed_in_with_a_second_factor(request, monkeypatch):
    """`client.login()` / `force_login()` of an officer also records a verified authenticator device in the
    session, as the sign-in form does (apps.backoffice.signin), so tests of back-office pages need not type codes.
    Tests of the sign-in itself post the form, which this does not touch; mark a test `real_second_factor` to
    log in without the device."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        if not user.is_staff:
            return
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


# --- S3-compatible storage (a real server on loopback: moto in server mode) -----------------------------------
S3_ACCESS_KEY = "test-access-key"
S3_SECRET_KEY = "test-secret-key"
S3_BACKENDS = "apps.core.storage_s3"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server, started once per session on 127.0.0.1; yields its endpoint URL."""
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto's S3 server did not start")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """settings.STORAGES pointed at a fresh bucket of the loopback S3 server, as production with S3_BUCKET does.
    Yields a boto3 client for looking at the bucket directly."""
    import uuid

    import boto3

    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "access_key": S3_ACCESS_KEY,
        "secret_key": S3_SECRET_KEY,
        "addressing_style": "path",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 300,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )
    client.create_bucket(Bucket=bucket)
    settings.S3_BUCKET = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{S3_BACKENDS}.PublicMediaS3Storage", "OPTIONS": {**options, "location": "media"}},
        "private": {"BACKEND": f"{S3_BACKENDS}.PrivateS3Storage", "OPTIONS": {**options, "location": "private"}},
    }
    client.bucket = bucket
    return client
