"""Prometheus metrics at /metrics (prometheus-client), for a scraper holding METRICS_TOKEN.

Request latency and refusals are counted in each process; under gunicorn set PROMETHEUS_MULTIPROC_DIR (the systemd
unit does) so every worker's counts are added up. Bookings, holds, messages, the queue backlog and the worker's
heartbeat are read from the database and Redis at scrape time, so every node reports the same values."""

import hmac
import os
import time

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by URL pattern.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Every refusal a citizen meets, by what refused: a rate limit (its key's prefix: check, otp-phone, otp-interval,
# msg-daily…), a message cap (msg-booking, msg-daily), a slot (slot-full, slot-too_soon…), the hold budget (a hold
# given but keeping no place: hold-budget) and the per-phone booking limits (phone-appointments, already-booked).
REFUSALS = Counter(
    "portal_refusals_total",
    "Refusals by limit: rate limits, message caps, full or unavailable slots, hold budgets, booking limits.",
    ["limit"],
)


def request_observe(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method=method, route=route, status=f"{status // 100}xx").observe(seconds)


def refusal_count(*, limit: str) -> None:
    REFUSALS.labels(limit=limit).inc()


class PortalCollector:
    """Business state read at scrape time."""

    def collect(self):
        from django.db.models import Count
        from django.utils import timezone

        from apps.appointments.models import Appointment, AppointmentStatus
        from apps.notifications.models import Notification
        from apps.notifications.selectors import notification_unsent_summary

        from .health import worker_heartbeat_age

        now = timezone.now()
        appointments = GaugeMetricFamily(
            "portal_appointments", "Appointments by state (held = live holds only).", labels=["state"]
        )
        by_status = dict(
            Appointment.objects.exclude(status=AppointmentStatus.HELD)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in AppointmentStatus.values:
            if status != AppointmentStatus.HELD:
                appointments.add_metric([status], by_status.get(status, 0))
        live_holds = Appointment.objects.filter(status=AppointmentStatus.HELD, hold_expires_at__gt=now).count()
        appointments.add_metric([AppointmentStatus.HELD], live_holds)
        yield appointments

        messages = GaugeMetricFamily("portal_messages", "Messages by state and channel.", labels=["state", "channel"])
        for status, channel, n in (
            Notification.objects.values_list("status", "channel")
            .annotate(n=Count("id"))
            .values_list("status", "channel", "n")
        ):
            messages.add_metric([status, channel or "none"], n)
        yield messages

        unsent = notification_unsent_summary(now=now)
        yield GaugeMetricFamily("portal_messages_unsent", "Messages queued or being sent.", value=unsent.count)
        oldest = unsent.oldest_age.total_seconds() if unsent.oldest_age else 0
        yield GaugeMetricFamily(
            "portal_messages_oldest_unsent_seconds", "Age of the oldest unsent message (0: none).", value=oldest
        )

        backlog = _queue_backlog()
        if backlog is not None:
            yield GaugeMetricFamily("portal_queue_backlog", "Tasks waiting in the Celery queue.", value=backlog)
        age = worker_heartbeat_age()
        if age is not None:
            yield GaugeMetricFamily(
                "portal_worker_heartbeat_age_seconds", "Seconds since a Celery worker last reported.", value=age
            )


def _queue_backlog() -> int | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")))
    except (redis.RedisError, OSError):
        return None


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(REFUSALS)
    registry.register(PortalCollector())
    return registry


def metrics_response(request) -> HttpResponse:
    """The scrape: 404 when METRICS_TOKEN is unset (the endpoint does not exist), 401 without the right token."""
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    sent = request.headers.get("authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        time.sleep(0.05)
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
