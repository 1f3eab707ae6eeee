"""The portal served as in production for the accessibility and page-weight audit: DEBUG off, collected (hashed,
pre-compressed) static files, gunicorn, no proxy in front, a fresh SQLite database with the demo data.

One server and one browser are shared by every check in this folder (browser tests are slow on 2 cores).
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFICER = ("a11y.officer", "a11y-" + secrets.token_hex(8))


@dataclass
class ProductionServer:
    url: str
    env: dict

    def manage(self, code: str) -> str:
        """Runs Python inside the server's Django project (its database), returns what it printed."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def last_code(self) -> str:
        """The 6-digit code of the last message the portal "sent" (no channel configured: the outbox)."""
        printed = self.manage(
            "import re; from apps.notifications.models import OutboxMessage as M; "
            r"print('CODE=' + re.search(r'\b(\d{6})\b', M.objects.latest('pk').body).group(1))"
        )
        return re.search(r"CODE=(\d{6})", printed).group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def production_server(tmp_path_factory):
    from tests.conftest import chromium_path

    if not chromium_path():  # the audit is a browser test: do not pay for the server without a browser
        pytest.skip("needs Chromium")
    tmp = tmp_path_factory.mktemp("production")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(tmp / "media"),
        # Its own static folder: collectstatic here must not rewrite files another server or run is serving.
        "STATIC_ROOT": str(tmp / "static"),
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    server = ProductionServer(url=f"http://127.0.0.1:{port}", env=env)
    server.manage(
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser({OFFICER[0]!r}, password={OFFICER[1]!r})"
    )
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(server.url + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError((tmp / "gunicorn.log").read_text())
        yield server
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        log.close()
