#!/usr/bin/env bash
# CI: README's "Production" section followed on this machine, with PostgreSQL, Redis, gunicorn, the Celery worker
# and beat, behind Debian's nginx with deploy/nginx/portal.conf. There is no systemd here: the three services are
# started from deploy/systemd/*.service by scripts/unit-exec.py (their Environment=, EnvironmentFile=,
# ExecStartPre= and ExecStart= lines, paths moved under a temporary folder), after `systemd-analyze verify` checked
# the units. Proven through nginx: a citizen books a procedure, the code and the booking confirmation are delivered
# by the worker (to the database outbox: no channel is configured), and beat's sweep hands a message left behind
# (the broker was "down" when it was written) to the worker, which sends it.
#
#   scripts/production-smoke.sh postgres://postgres@127.0.0.1:5432/portal_prod_smoke redis://127.0.0.1:6379/2
# The database is dropped and created again, the Redis database emptied: give ones used by nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DB_URL=${1:?usage: $0 postgres://…/DBNAME redis://…/N}
REDIS=${2:?usage: $0 postgres://…/DBNAME redis://…/N}

tmp=$(mktemp -d)
pids=()
cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 20); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
started=$(date +%s)
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port); HTTP_PORT=$(free_port); TLS_PORT=$(free_port)
HOST=localhost
BASE="https://$HOST:$TLS_PORT"
fail() { echo "FAIL $*" >&2; for f in "$tmp"/*.log; do echo "--- $f" >&2; tail -n 25 "$f" >&2; done; exit 1; }
ok() { printf 'ok   %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

# A fresh database and Redis database.
psql -q "${DB_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${DB_URL##*/}\"" -c "CREATE DATABASE \"${DB_URL##*/}\"" \
  || fail "create database"
redis-cli -u "$REDIS" flushdb >/dev/null || fail "empty Redis"

# The units, as README copies them, checked by systemd's own verifier (commands exist, settings are known).
mkdir -p "$tmp/units" "$tmp/etc" "$tmp/var" "$tmp/run"
MAPS=(--map "/srv/portal=$ROOT" --map "/etc/portal=$tmp/etc" --map "/var/lib/portal=$tmp/var" --map "/run/portal=$tmp/run")
for unit in deploy/systemd/*.service; do
  sed "s|/srv/portal|$ROOT|g" "$unit" > "$tmp/units/$(basename "$unit")"
done
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify --man=no "$tmp"/units/*.service 2>&1) || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  ok "systemd-analyze verify deploy/systemd/*.service"
fi

# /etc/portal/portal.env from deploy/env.example, edited as README says (secret key, host, database), plus the
# loopback ports and folders of this run.
cp deploy/env.example "$tmp/etc/portal.env"
setting() {  # KEY VALUE: replace the example's line (commented out or not), or add it
  if grep -qE "^#?$1=" "$tmp/etc/portal.env"; then
    sed -i -E "s|^#?$1=.*|$1=$2|" "$tmp/etc/portal.env"
  else
    echo "$1=$2" >> "$tmp/etc/portal.env"
  fi
}
setting DJANGO_SECRET_KEY "$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
setting DJANGO_ALLOWED_HOSTS "$HOST"
setting DJANGO_CSRF_TRUSTED_ORIGINS "$BASE"
setting SITE_URL "$BASE"
setting DATABASE_URL "$DB_URL"
setting REDIS_URL "$REDIS"
setting MEDIA_ROOT "$tmp/var/media"
setting REPORTS_PHOTO_ROOT "$tmp/var/private/report-photos"
setting EXPORTS_ROOT "$tmp/var/private/exports"
setting METRICS_TOKEN "smoke-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
setting GUNICORN_WORKERS 2
setting GUNICORN_BIND "127.0.0.1:$APP_PORT"
setting NOTIFICATIONS_REQUEUE_AFTER_SECONDS 5
setting LOG_FORMAT plain
grep -q '^DJANGO_SECRET_KEY=change-me' "$tmp/etc/portal.env" && fail "secret key not set"

# README's commands, in order (as the caller instead of `sudo -u portal`; the demo units instead of your own file).
set -a; . "$tmp/etc/portal.env"; set +a
DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python manage.py compilemessages --ignore=.venv -v0
ok "compilemessages"
.venv/bin/python manage.py collectstatic --noinput -v0
ok "collectstatic"
.venv/bin/python manage.py migrate --noinput -v0
ok "migrate"
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py check --deploy --fail-level WARNING >"$tmp/check.log" 2>&1 || fail "check --deploy: $(cat "$tmp/check.log")"
ok "units loaded, check --deploy without warnings"

for service in web worker beat; do
  setsid .venv/bin/python scripts/unit-exec.py "deploy/systemd/portal-$service.service" "${MAPS[@]}" \
    >"$tmp/$service.log" 2>&1 &
  pids+=($!)
done
source scripts/nginx-site.sh
nginx -c "$tmp/nginx.conf" -g "error_log $tmp/nginx-error.log warn;"
for _ in $(seq 60); do curl -fsS -o /dev/null "http://127.0.0.1:$APP_PORT/healthz" 2>/dev/null && break; sleep 1; done
[ -d "$tmp/run/metrics" ] || fail "the web unit's ExecStartPre did not make the metrics folder"
ok "gunicorn, worker and beat started from their units; nginx in front"

# The citizen's side, through nginx; the codes read from the outbox (the "channel" when none is configured).
DJANGO_SETTINGS_MODULE=config.settings.base .venv/bin/python - "$BASE" "$tmp/cert.pem" <<'PY' || fail "booking through nginx"
import re
import sys
import time
from datetime import timedelta

import django
import requests

django.setup()
from django.utils import timezone

from apps.appointments.selectors import slot_list_available, unit_list_for_procedure
from apps.notifications.models import Notification, OutboxMessage
from apps.procedures.models import Procedure

base, cert = sys.argv[1], sys.argv[2]
web = requests.Session()
web.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate made for this run
web.verify = cert
phone = "0912345678"


def post(path, data, form_page=None):
    page = web.get(base + (form_page or path), timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return web.post(base + path, {**data, "csrfmiddlewaretoken": token}, headers={"Referer": base + path},
                    allow_redirects=False, timeout=20)


def delivered(kind, seconds=40):
    for _ in range(seconds * 2):
        message = OutboxMessage.objects.filter(notification__kind=kind, recipient__contains=phone[-9:]).first()
        if message and message.notification.status == "sent":
            return message
        time.sleep(0.5)
    raise SystemExit(f"{kind}: not delivered: {list(Notification.objects.values_list('kind', 'status'))}")


answer = post("/thu-tuc/ho-chieu/", {
    "holder_name": "Nguyễn Văn An", "phone": phone, "id_number": "079203001234", "request_type": "expiring",
    "current_passport": "C1234567", "purpose": "tourism", "accept_notice": "1", "accept_declaration": "1"})
assert answer.status_code == 302 and answer.headers["Location"] == "/thu-tuc/ho-chieu/dat-lich/", answer.text[-2000:]
procedure = Procedure.objects.get(slug="ho-chieu")
today = timezone.localdate()
slot = next(slot for unit in unit_list_for_procedure(procedure=procedure).order_by("order", "name")
            for day in slot_list_available(unit=unit, procedure=procedure, start=today, end=today + timedelta(days=30))
            for slot in day.slots if slot.free)
day = timezone.localtime(slot.starts_at).date()
answer = post("/thu-tuc/ho-chieu/dat-lich/", {"slot": slot.value},
              form_page=f"/thu-tuc/ho-chieu/dat-lich/?unit={slot.unit.slug}&day={day:%Y-%m-%d}")
assert answer.status_code == 302 and answer.headers["Location"] == "/thu-tuc/ho-chieu/xac-nhan/", answer.text[-2000:]
answer = post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "send"})
assert answer.status_code == 302, answer.text[-2000:]
code = re.search(r"\b(\d{6})\b", delivered("otp").body)[1]
answer = post("/thu-tuc/ho-chieu/xac-nhan/", {"action": "verify", "code": code})
assert answer.status_code == 302 and "/hoan-tat/" in answer.headers["Location"], answer.text[-2000:]
done = web.get(base + answer.headers["Location"], timeout=20)
assert done.status_code == 200, done.text[-2000:]
confirmation = delivered("procedure_booked")
print("ok   booked through nginx; code and confirmation delivered:", confirmation.body[:80].replace("\n", " "))

# A message written while the broker was down (never handed to the queue): only beat's sweep can send it.
from apps.notifications.services import notification_send, sending

sending._enqueue_after_commit = lambda notification_id: None
left = notification_send(kind="procedure_booked", language="vi", phone="0987654321",
                         context=confirmation.notification.context)
Notification.objects.filter(pk=left.pk).update(created_at=timezone.now() - timedelta(minutes=10))
for _ in range(180):
    left.refresh_from_db()
    if left.status == "sent":
        break
    time.sleep(0.5)
assert left.status == "sent", left.status
print("ok   a message left unqueued was sent after beat's sweep")
PY
grep -q "notifications.deliver\[.*\] succeeded" "$tmp/worker.log" || fail "the worker did not deliver"
grep -q "Sending due task notifications-sweep (notifications.sweep)" "$tmp/beat.log" || fail "beat sent no sweep"
grep -q "notifications.sweep\[.*\] succeeded" "$tmp/worker.log" || fail "the worker did not run the sweep"
ok "worker delivered the messages, beat scheduled the sweep"

# The same, as the monitoring sees it through nginx: both gunicorn workers' counts, the messages, the worker alive.
metrics=$(curl -fsS --cacert "$tmp/cert.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1" \
  -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/metrics") || fail "/metrics through nginx"
grep -qE '^portal_messages\{channel="[a-z]+",state="sent"\} [1-9]' <<<"$metrics" \
  || fail "metrics: $(grep '^portal_messages' <<<"$metrics")"
grep -q '^portal_messages_unsent 0\.0$' <<<"$metrics" || fail "metrics: messages left unsent"
grep -q '^portal_appointments{state="booked"} 1\.0$' <<<"$metrics" || fail "metrics: no booking"
grep -q '^portal_worker_heartbeat_age_seconds' <<<"$metrics" || fail "metrics: no worker heartbeat"
ready=$(curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz")
grep -q '"status": "ok"' <<<"$ready" || fail "/readyz: $ready"
ok "/metrics and /readyz through nginx: messages sent, none waiting, 1 booking, worker alive ($ready)"
echo "production smoke test passed"
