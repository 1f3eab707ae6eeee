"""gunicorn settings for the portal (deploy/systemd/portal-web.service, Dockerfile). Environment overrides:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 25
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once): bounds any leak.
max_requests = 2000
max_requests_jitter = 200
# nginx on the same host terminates TLS and sets X-Forwarded-*; the app trusts them with DJANGO_BEHIND_PROXY=true.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Request lines and headers are the app's job to log (JSON, without personal data): no access log here.
accesslog = None
errorlog = "-"
loglevel = "info"
# Start the app before forking: faster starts, less memory (copy-on-write).
preload_app = True


def child_exit(server, worker):
    """Metrics of a worker that exited stay counted, but its live gauges are dropped (prometheus-client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
