#!/usr/bin/env bash
# Serves the portal twice and fetches its main pages:
#  1. exactly as `make run` does (fresh SQLite database in a temporary copy of the settings' default path);
#  2. as production does: DEBUG off, collectstatic, gunicorn, hashed and compressed static files.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SMOKE_PORT:-8765}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

wait_for() {
  for _ in $(seq 60); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  echo "server did not answer at $1" >&2; cat "$tmp"/*.log >&2; return 1
}
fetch() {  # url, expected text
  local body
  body=$(curl -fsS "$1") || { echo "FAIL $1" >&2; return 1; }
  grep -q -- "$2" <<<"$body" || { echo "FAIL $1: '$2' not found" >&2; return 1; }
  echo "ok   $1"
}

# 1. make run, with its database in a temporary folder so a developer's db.sqlite3 is untouched.
export DATABASE_URL="sqlite:///$tmp/db.sqlite3"
setsid make run PORT="$PORT" >"$tmp/run.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PORT/healthz"
fetch "http://127.0.0.1:$PORT/" "Khai tờ khai căn cước"
fetch "http://127.0.0.1:$PORT/en/" "Fill in the identity card declaration"
fetch "http://127.0.0.1:$PORT/readyz" '"database": "ok"'
fetch "http://127.0.0.1:$PORT/admin/login/" "csrfmiddlewaretoken"
fetch "http://127.0.0.1:$PORT/lien-he/" "Công an Phường 18"
grep -q "canbo.quan4" "$tmp/run.log" || { echo "FAIL: demo accounts not printed" >&2; exit 1; }
kill -- "-${pids[0]}"; pids=()

# 2. Production-like: DEBUG off, collected static files, gunicorn with 2 workers.
export DJANGO_DEBUG=false DJANGO_SECRET_KEY="smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  DJANGO_HTTPS=false DJANGO_ALLOWED_HOSTS=127.0.0.1
.venv/bin/python manage.py collectstatic --noinput -v0
setsid .venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 >"$tmp/gunicorn.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$PORT/healthz"
fetch "http://127.0.0.1:$PORT/" "Khai tờ khai căn cước"
css=$(curl -fsS "http://127.0.0.1:$PORT/" | grep -o '/static/css/portal\.[0-9a-f]*\.css' | head -1)
[ -n "$css" ] || { echo "FAIL: static files are not hashed" >&2; exit 1; }
curl -fsS -H 'Accept-Encoding: gzip' -D - -o /dev/null "http://127.0.0.1:$PORT$css" | grep -qi 'content-encoding: gzip' \
  || { echo "FAIL: static files are not served compressed" >&2; exit 1; }
echo "ok   $css (hashed, compressed)"
echo "smoke test passed"
