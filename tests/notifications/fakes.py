"""Fake-but-real providers on 127.0.0.1: HTTP servers speaking the Zalo OAuth/ZNS and eSMS wire formats, and an
SMTP server. They run in a thread of the test (or benchmark) process; a Celery worker in another process talks
to them over loopback exactly as it would talk to the real providers.

Both HTTP fakes honour the idempotency key the way the providers document it: a repeated ZNS `tracking_id` or
eSMS `RequestId` is answered without a second delivery (`deliveries` counts what reached a phone).
"""

import json
import secrets
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Scripted:
    """One scripted answer: an HTTP status and a JSON body (or raw text)."""

    status: int = 200
    body: dict | str | None = None


@dataclass
class ProviderState:
    requests: list[dict] = field(default_factory=list)
    deliveries: list[dict] = field(default_factory=list)
    script: list[Scripted] = field(default_factory=list)
    invalid_phones: set[str] = field(default_factory=set)
    # Seconds to wait after recording a delivery and before answering (to kill a worker "mid-send").
    answer_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: "FakeProviderServer"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        status, answer, delay = self.server.fake.handle(self.path, self.headers, raw)
        if delay:
            time.sleep(delay)
        payload = answer if isinstance(answer, str) else json.dumps(answer)
        data = payload.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client (a killed worker) went away
            pass


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _FakeBase:
    def __init__(self):
        self.state = ProviderState()
        self.server = FakeProviderServer(self)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def deliveries(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.deliveries)

    @property
    def requests(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.requests)

    def reset(self) -> None:
        with self.state.lock:
            self.state.requests.clear()
            self.state.deliveries.clear()
            self.state.script.clear()
            self.state.invalid_phones.clear()
            self.state.answer_delay = 0.0
            self._reset()

    def _reset(self) -> None:
        pass

    def script(self, *answers: Scripted) -> None:
        with self.state.lock:
            self.state.script.extend(answers)

    def _next_scripted(self) -> Scripted | None:
        return self.state.script.pop(0) if self.state.script else None


class FakeZalo(_FakeBase):
    """Zalo OAuth v4 refresh (rotating single-use refresh tokens) and ZNS template messages by phone."""

    app_id = "fake-app"
    app_secret = "fake-app-secret"

    def __init__(self):
        super().__init__()
        self.refresh_token = "refresh-0"
        self.access_tokens: set[str] = set()
        self.refreshes = 0
        self.tracking: dict[str, str] = {}
        self.consultations: list[dict] = []
        self.not_followers: set[str] = set()

    def _reset(self) -> None:
        self.refresh_token = "refresh-0"
        self.access_tokens.clear()
        self.refreshes = 0
        self.tracking.clear()
        self.consultations.clear()
        self.not_followers.clear()

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/v4/oa/access_token"

    @property
    def zns_url(self) -> str:
        return f"{self.base_url}/message/template"

    def revoke_access_tokens(self) -> None:
        with self.state.lock:
            self.access_tokens.clear()

    @property
    def oa_api_url(self) -> str:
        return self.base_url

    @property
    def cs_requests(self) -> list[dict]:
        with self.state.lock:
            return list(self.consultations)

    def handle(self, path, headers, raw):
        with self.state.lock:
            if path.startswith("/v4/oa/access_token"):
                return self._refresh(headers, raw)
            if path.startswith("/message/template"):
                return self._send(headers, raw)
            if path.startswith("/v3.0/oa/message/cs"):
                return self._consultation(headers, raw)
            return 404, {"error": -1, "message": "not found"}, 0

    def _consultation(self, headers, raw):
        """OA consultation message: -216 for a bad token, -213 for a user in `not_followers`, else sent."""
        body = json.loads(raw)
        scripted = self._next_scripted()
        if scripted is not None:
            self.consultations.append(body)
            return scripted.status, scripted.body or {}, 0
        if headers.get("access_token") not in self.access_tokens:
            return 200, {"error": -216, "message": "Access token is invalid"}, 0
        self.consultations.append(body)
        user_id = (body.get("recipient") or {}).get("user_id", "")
        if user_id in self.not_followers:
            return 200, {"error": -213, "message": "User has not followed OA"}, 0
        answer = {"error": 0, "message": "Success", "data": {"message_id": secrets.token_hex(8), "user_id": user_id}}
        return 200, answer, 0

    def _refresh(self, headers, raw):
        form = dict(urllib.parse.parse_qsl(raw))
        if headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return 200, {"error": -14002, "error_name": "Invalid app", "error_description": "bad secret"}, 0
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return 200, {"error": -14014, "error_name": "Invalid refresh token", "error_description": "used"}, 0
        self.refreshes += 1
        access = f"access-{self.refreshes}-{secrets.token_hex(4)}"
        self.refresh_token = f"refresh-{self.refreshes}-{secrets.token_hex(4)}"  # the old one is now invalid
        self.access_tokens.add(access)
        return 200, {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"}, 0

    def _send(self, headers, raw):
        body = json.loads(raw)
        self.state.requests.append(body)
        scripted = self._next_scripted()
        if scripted is not None:
            return scripted.status, scripted.body or {}, 0
        if headers.get("access_token") not in self.access_tokens:
            return 200, {"error": -124, "message": "Access token is invalid"}, 0
        if body.get("phone") in self.state.invalid_phones:
            return 200, {"error": -108, "message": "Phone number is invalid"}, 0
        tracking_id = body.get("tracking_id", "")
        if tracking_id in self.tracking:
            msg_id = self.tracking[tracking_id]  # a retry of a message already delivered: not delivered again
        else:
            msg_id = secrets.token_hex(8)
            self.tracking[tracking_id] = msg_id
            self.state.deliveries.append(body)
        answer = {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": msg_id,
                "sent_time": str(int(time.time() * 1000)),
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        }
        return 200, answer, self.state.answer_delay


class FakeMediaServer:
    """Serves files over HTTP on 127.0.0.1 (Zalo's chat media CDN in tests): `files[path] = bytes`."""

    def __init__(self):
        outer = self
        self.files: dict[str, bytes] = {}
        self.hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                outer.hits.append(self.path)
                data = outer.files.get(self.path)
                if data is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


class FakeEsms(_FakeBase):
    """eSMS.vn SendMultipleMessage_V4_post_json: CodeResult 100 accepted, 124 duplicate RequestId, 108 bad phone."""

    api_key = "fake-esms-key"
    secret_key = "fake-esms-secret"

    def __init__(self):
        super().__init__()
        self.request_ids: dict[str, str] = {}

    def _reset(self) -> None:
        self.request_ids.clear()

    @property
    def url(self) -> str:
        return f"{self.base_url}/MainService.svc/json/SendMultipleMessage_V4_post_json/"

    def handle(self, path, headers, raw):
        with self.state.lock:
            body = json.loads(raw)
            self.state.requests.append(body)
            scripted = self._next_scripted()
            if scripted is not None:
                return scripted.status, scripted.body or {}, 0
            if body.get("ApiKey") != self.api_key or body.get("SecretKey") != self.secret_key:
                return 200, {"CodeResult": "101", "ErrorMessage": "Wrong key"}, 0
            if body.get("Phone") in self.state.invalid_phones:
                return 200, {"CodeResult": "108", "ErrorMessage": "Bad phone format"}, 0
            request_id = body.get("RequestId", "")
            if request_id and request_id in self.request_ids:
                return 200, {"CodeResult": "124", "SMSID": self.request_ids[request_id]}, 0
            sms_id = secrets.token_hex(8)
            self.request_ids[request_id] = sms_id
            self.state.deliveries.append(body)
            return 200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}, self.state.answer_delay


class FakeSmtp:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[dict] = []
        self.port = free_port()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append(
                    {"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "data": envelope.content.decode()}
                )
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
