#!/usr/bin/env bash
# CI: the portal as README's "Production" section installs it, behind Debian's nginx with deploy/nginx/portal.conf
# (TLS with a self-signed certificate, HTTP/2, gzip/brotli, cached static files, X-Forwarded-*), on loopback only.
# Checks: HTML compressed, static files cached and precompressed, HTTP redirected to HTTPS but not the probes, and
# the app's rate limits count the client nginx saw (not nginx itself, not an X-Forwarded-For the client made up).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

tmp=$(mktemp -d)
pids=()
cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port); HTTP_PORT=$(free_port); TLS_PORT=$(free_port)
HOST=localhost
BASE="https://$HOST:$TLS_PORT"
fail() { echo "FAIL $*" >&2; tail -n 30 "$tmp"/*.log >&2 || true; exit 1; }

source scripts/nginx-site.sh

# The app as deploy/env.example configures it (SQLite and no Redis keep this step cheap; one gunicorn worker so the
# rate limit counts in one process).
export DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=$HOST DJANGO_BEHIND_PROXY=true DJANGO_HTTPS=true \
  DJANGO_SECRET_KEY="nginx-smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  DATABASE_URL="sqlite:///$tmp/db.sqlite3" MEDIA_ROOT="$tmp/media" REPORTS_PHOTO_ROOT="$tmp/private" \
  EXPORTS_ROOT="$tmp/exports" GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=1
unset REDIS_URL
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
setsid .venv/bin/gunicorn config.wsgi --config deploy/gunicorn.conf.py >"$tmp/gunicorn.log" 2>&1 &
pids+=($!)
nginx -c "$tmp/nginx.conf" -g "error_log $tmp/nginx-error.log warn;"
for _ in $(seq 60); do curl -fsS -o /dev/null "http://127.0.0.1:$APP_PORT/healthz" 2>/dev/null && break; sleep 1; done

CURL=(curl -sS --cacert "$tmp/cert.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1")

# HTTP/2, TLS, HTML compressed.
version=$("${CURL[@]}" --http2 -o /dev/null -w '%{http_version}' "$BASE/") || fail "HTTPS"
[ "$version" = 2 ] || fail "HTTP/2 not negotiated ($version)"
headers=$("${CURL[@]}" -H 'Accept-Encoding: gzip' -D - -o "$tmp/home.gz" "$BASE/")
grep -qi '^content-encoding: gzip' <<<"$headers" || fail "HTML not gzip-compressed: $headers"
gunzip -c "$tmp/home.gz" | grep -q "Khai tờ khai căn cước" || fail "home page content"
"${CURL[@]}" -H 'Accept-Encoding: br' -D - -o /dev/null "$BASE/" | grep -qi '^content-encoding: br' \
  || fail "HTML not brotli-compressed"
echo "ok   $BASE/ (HTTP/2, gzip and brotli)"

# Static files: hashed name, cached for a year, precompressed.
css=$(gunzip -c "$tmp/home.gz" | grep -o '/static/css/portal\.[0-9a-f]*\.css' | head -1)
[ -n "$css" ] || fail "static files are not hashed"
headers=$("${CURL[@]}" -H 'Accept-Encoding: br, gzip' -D - -o /dev/null "$BASE$css")
grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$headers" || fail "static not cached: $headers"
grep -qi '^content-encoding: br' <<<"$headers" || fail "static not precompressed: $headers"
echo "ok   $css (cached a year, brotli)"

# Plain HTTP: redirected, except the probes.
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/" -H "Host: $HOST")
[ "$code" = 301 ] || fail "http:// not redirected ($code)"
curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" | grep -q '"status": "ok"' || fail "/healthz over HTTP"
curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz" | grep -q '"database": "ok"' || fail "/readyz over HTTP"
echo "ok   http:// redirected, /healthz and /readyz answered"

# Rate limits see the client: 127.0.0.2 uses up its 10 checks (claiming other addresses in X-Forwarded-For does
# not help), while 127.0.0.1 is still served.
code=$(.venv/bin/python -c 'from apps.core.codes import code_generate; print(code_generate(length=7))')  # well-formed
check() {  # source address, claimed X-Forwarded-For -> page
  local jar="$tmp/jar-$1" token
  token=$("${CURL[@]}" --interface "$1" -c "$jar" "$BASE/en/kiem-tra-tin-nhan/" \
    | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  "${CURL[@]}" --interface "$1" -b "$jar" -c "$jar" -H "Origin: $BASE" -H "Referer: $BASE/en/kiem-tra-tin-nhan/" \
    -H "X-Forwarded-For: $2" --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "code=$code" \
    --data-urlencode "phone=0912 345 678" "$BASE/en/kiem-tra-tin-nhan/" | tee "$tmp/last-check.html"
}
for i in $(seq 10); do
  check 127.0.0.2 "203.0.113.$i" | grep -q "checked many codes" && fail "limited too early (check $i)"
done
check 127.0.0.2 "198.51.100.7" | grep -q "checked many codes" || { grep -o '<h1[^<]*' "$tmp/last-check.html" >&2; fail "11th check from one client not limited"; }
check 127.0.0.1 "127.0.0.2" | grep -q "checked many codes" && fail "another client was limited too"
echo "ok   rate limits count per client behind nginx"
echo "nginx smoke test passed"
