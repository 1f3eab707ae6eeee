"""Error reporting end to end: the real Sentry SDK in a separate Django process sends a view's exception over HTTP to
a Sentry-compatible ingest endpoint on loopback (SENTRY_DSN=http://key@127.0.0.1:PORT/1), and the event it delivers
carries no personal data: no phone, no identity-card number, no cookie, no form data (apps/core/sentry.py)."""

import gzip
import json
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PHONE = "0912345678"
ID_NUMBER = "079203001234"
SESSION = "s3ss10nc00k1ev4lu3xyz"
CSRF = "csrfc00k1ev4lu3abcdefghijklmnopq"  # 32 letters and digits, as Django makes them

# The portal's WSGI application (as gunicorn loads it) served on loopback; a citizen checks a message and the check
# fails inside the view with the citizen's numbers in the exception text.
CITIZEN_REQUEST = f"""
import threading, urllib.error, urllib.parse, urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
from django.core.management import call_command
from apps.core.codes import code_generate
from apps.notifications import views

call_command("migrate", verbosity=0)

def broken_verify(*, code, phone):
    raise RuntimeError(f"lookup failed for {{phone}} holding card {ID_NUMBER}")

views.notification_verify = broken_verify

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
form = {{"code": code_generate(length=7), "phone": "{PHONE}", "id_number": "{ID_NUMBER}"}}
request = urllib.request.Request(
    f"http://127.0.0.1:{{server.server_port}}/kiem-tra-tin-nhan/?phone={PHONE}",
    data=urllib.parse.urlencode(form).encode(),
    headers={{"Cookie": "sessionid={SESSION}; csrftoken={CSRF}", "X-CSRFToken": "{CSRF}",
             "User-Agent": "smoke-phone", "X-Forwarded-For": "203.0.113.9"}},
)
try:
    status = urllib.request.urlopen(request, timeout=30).status
except urllib.error.HTTPError as error:
    status = error.code
print("status", status)
import sentry_sdk
sentry_sdk.flush(timeout=10)
server.shutdown()
"""


class _Ingest(BaseHTTPRequestHandler):
    received: list[tuple[str, dict, bytes]]

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "0"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def ingest():
    received: list[tuple[str, dict, bytes]] = []
    handler = type("Handler", (_Ingest,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def _decoded(headers: dict, body: bytes) -> str:
    encoding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    elif encoding == "br":
        import brotli

        body = brotli.decompress(body)
    return body.decode()


def test_a_view_exception_reaches_the_ingest_server_without_personal_data(ingest, tmp_path):
    port, received = ingest
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/1",
        "SENTRY_ENVIRONMENT": "ci",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    run = subprocess.run(
        [sys.executable, "-c", CITIZEN_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "status 500" in run.stdout, run.stdout + run.stderr[-3000:]

    envelopes = [(path, _decoded(headers, body)) for path, headers, body in received]
    assert envelopes, "no event reached the ingest server"
    assert {path for path, _ in envelopes} == {"/api/1/envelope/"}
    events = []
    for _path, text in envelopes:
        lines = text.splitlines()
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    assert len(events) == 1, envelopes
    event = events[0]
    assert event["environment"] == "ci"
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "lookup failed for [masked] holding card [masked]"
    assert event["request"].get("url", "").endswith("/kiem-tra-tin-nhan/"), json.dumps(event["request"])
    assert event["request"]["method"] == "POST"

    everything = "\n".join(text for _path, text in envelopes)  # every byte sent, not only the event
    for personal in (PHONE, "912345678", ID_NUMBER, SESSION, CSRF, "203.0.113.9"):
        assert personal not in everything, personal
    assert "cookies" not in event["request"] and "data" not in event["request"]
    assert {k.lower() for k in event["request"].get("headers", {})} <= {"user-agent", "x-request-id"}
    assert "user" not in event or "ip_address" not in event["user"]
