"""Structured logs: one JSON object per line (LOG_FORMAT=json), each with the request id of the request it belongs
to, and without personal data: request lines name the URL pattern, not the path (paths carry codes and tokens),
never the client address; phone and identity numbers that slip into a message are masked."""

import contextvars
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Vietnamese phone numbers (0xxxxxxxxx, +84xxxxxxxxx, 84xxxxxxxxx) and 9- or 12-digit identity numbers.
_PERSONAL = re.compile(r"(?<![\w])(?:\+?84|0)\d{9}(?!\d)|(?<!\d)\d{12}(?!\d)|(?<!\d)\d{9}(?!\d)")
MASK = "[masked]"

access_logger = logging.getLogger("portal.request")


def mask_personal(text: str) -> str:
    return _PERSONAL.sub(MASK, text)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record and masks personal numbers in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class RequestIdMiddleware:
    """Gives each request an id (nginx's X-Request-ID when well-formed, else a new one), echoes it in the response
    and logs one line per request: method, URL pattern, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = request_route(request)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                route,
                response.status_code,
                duration * 1000,
                extra={
                    "http_method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                },
            )
            from . import metrics

            metrics.request_observe(method=request.method, route=route, status=response.status_code, seconds=duration)
            return response
        finally:
            request_id_var.reset(token)


def request_route(request) -> str:
    """The URL pattern that answered ("tin-tuc/<slug:slug>/"), never the path itself (it may hold codes)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.route or match.view_name or "<unnamed>"
