from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware

from . import health
from .ratelimit import client_address, current_client_reset, current_client_set

# Citizen pages load nothing from third parties: everything comes from this origin (images may be data: URIs,
# e.g. an inline QR code). This is enforced by the browser, and checked by tests.
CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Browser features no page of the portal uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header_value = CSP + ("; upgrade-insecure-requests" if settings.HTTPS else "")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header_value)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Content types worth compressing. Images, PDFs, spreadsheets and archives are compressed already: gzipping them
# again costs CPU and saves nothing.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "image/svg+xml",
)


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (gzip for every browser that asks; since Django 4.2 it pads responses with random
    bytes, which defeats BREACH-style guessing of the CSRF token), limited to text responses.

    Listed after WhiteNoise, so static files keep WhiteNoise's own pre-compressed copies. A view whose response must
    never be compressed (e.g. one that streams a download whose length the client relies on) sets
    ``response.headers["Content-Encoding"] = "identity"`` or uses a non-text content type.
    """

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)


class HealthCheckMiddleware:
    """Answers /healthz, /readyz and /metrics (apps/core/metrics.py) before every other middleware: no HTTPS
    redirect, no ALLOWED_HOSTS check (a load balancer or Prometheus reaches each node by its own address over plain
    HTTP), no session, no language, no cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self._answer(200, {"status": "ok"})
        if request.path == "/readyz":
            found = health.readiness()
            return self._answer(found.status_code, found.body)
        if request.path == "/metrics":
            from .metrics import metrics_response

            return metrics_response(request)
        return self.get_response(request)

    @staticmethod
    def _answer(status: int, body: dict) -> JsonResponse:
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response


class ClientMiddleware:
    """Makes the client address of the request available to services (`apps.core.ratelimit.current_client`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_client_set(client_address(request), request)
        try:
            return self.get_response(request)
        finally:
            current_client_reset(token)
