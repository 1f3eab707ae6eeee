# Sourced by scripts/nginx-smoke.sh and scripts/production-smoke.sh: installs Debian's nginx (with the brotli
# modules) when missing and writes $tmp/nginx.conf, which serves deploy/nginx/portal.conf as shipped, with this
# machine's paths and loopback ports put in and a self-signed certificate for $HOST made here.
# Expects: ROOT, tmp, HOST, APP_PORT, HTTP_PORT, TLS_PORT and a `fail` function.
if ! command -v nginx >/dev/null || [ ! -e /usr/share/nginx/modules-available/mod-http-brotli-filter.conf ]; then
  # Install without starting Debian's default site (no service is started by a package here).
  policy=/usr/sbin/policy-rc.d
  made_policy=""
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && made_policy=1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx openssl \
    libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static >/dev/null
  if [ -n "$made_policy" ]; then rm -f $policy; fi
fi

# A self-signed certificate for localhost, made here, valid one day.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

# The site file as shipped, with this machine's paths and ports put in.
sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' -e "s|server_name dichvu.congan.example.vn;|server_name $HOST;|" \
    -e "s|/etc/letsencrypt/live/dichvu.congan.example.vn/fullchain.pem|$tmp/cert.pem|" \
    -e "s|/etc/letsencrypt/live/dichvu.congan.example.vn/privkey.pem|$tmp/key.pem|" \
    -e "s|/etc/nginx/portal-proxy.conf|$ROOT/deploy/nginx/portal-proxy.conf|" \
    -e "s|server 127.0.0.1:8000|server 127.0.0.1:$APP_PORT|" -e "s|/srv/portal/|$ROOT/|" \
    -e 's|return 301 https://$host$request_uri;|return 301 https://$host:'"$TLS_PORT"'$request_uri;|' \
    deploy/nginx/portal.conf > "$tmp/site.conf"
cat > "$tmp/nginx.conf" <<CONF
include /usr/share/nginx/modules-available/mod-http-brotli-filter.conf;
include /usr/share/nginx/modules-available/mod-http-brotli-static.conf;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $tmp/nginx-access.log;
    client_body_temp_path $tmp/body; proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi; uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
    sendfile on;
    include $tmp/site.conf;
}
CONF
nginx -t -q -c "$tmp/nginx.conf" -g "error_log $tmp/nginx-error.log warn;" || fail "nginx -t"
