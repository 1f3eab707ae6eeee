#!/usr/bin/env python
"""Throughput of the portal's pages as a ratio to a bare Django view, measured in one run.

Serves the portal the way production does (DEBUG off, gunicorn with 2 workers, collected static files), loads
the demo data into a fresh database, then drives each page with wrk (Debian package `wrk`) on loopback for a
fixed time and compares requests per second with /bench/bare/ measured in the same run (before and after the
pages, averaged). Machines here are noisy, so only ratios are reported. Results: benchmarks/results/pages.md.

    make bench                      # all pages
    BENCH_SECONDS=3 make bench      # quicker
"""

import http.cookiejar
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))

# (name, path, kind, needs a session). Content pages must reach 30 % of the bare view; journey pages 10 %.
# A path may contain {unit} and {day}: the first unit and the first bookable day the slot picker links to.
TARGETS = {"content": 0.30, "journey": 0.10}
PAGES = [
    ("Home", "/", "content", False),
    ("Home (English)", "/en/", "content", False),
    ("Directory", "/lien-he/", "content", False),
    ("News list", "/tin-tuc/", "content", False),
    ("Procedures", "/thu-tuc/", "content", False),
    ("Procedure: CCCD", "/thu-tuc/cap-cccd/gioi-thieu/", "content", False),
    ("CCCD: request type", "/thu-tuc/cap-cccd/", "journey", True),
    ("CCCD: about you", "/thu-tuc/cap-cccd/ban-than/", "journey", True),
    ("CCCD: addresses", "/thu-tuc/cap-cccd/dia-chi/", "journey", True),
    ("CCCD: family", "/thu-tuc/cap-cccd/gia-dinh/", "journey", True),
    ("CCCD: appointment, units", "/thu-tuc/cap-cccd/lich-hen/", "journey", True),
    ("CCCD: appointment, days", "/thu-tuc/cap-cccd/lich-hen/?unit={unit}", "journey", True),
    ("CCCD: appointment, times", "/thu-tuc/cap-cccd/lich-hen/?unit={unit}&day={day}", "journey", True),
    ("Passport: request", "/thu-tuc/ho-chieu/", "journey", True),
    ("Residence: request", "/thu-tuc/dang-ky-cu-tru/", "journey", False),
    ("Foreigner's stay: request", "/thu-tuc/tam-tru-nguoi-nuoc-ngoai/", "journey", False),
    ("Lookup", "/tra-cuu/", "journey", False),
    ("Report form", "/phan-anh/", "journey", False),
]


def picker_choices(base: str) -> dict[str, str]:
    """The first unit and bookable day the appointment step offers, read from its own links."""
    with urllib.request.urlopen(base + "/thu-tuc/cap-cccd/lich-hen/", timeout=10) as response:
        unit = re.search(r"\?unit=([\w-]+)", response.read().decode()).group(1)
    with urllib.request.urlopen(f"{base}/thu-tuc/cap-cccd/lich-hen/?unit={unit}", timeout=10) as response:
        day = re.search(r"day=(\d{4}-\d{2}-\d{2})", response.read().decode()).group(1)
    return {"unit": unit, "day": day}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def session_cookie(base: str, path: str) -> tuple[str, int]:
    """Open `path` like a citizen (cookies kept); returns the Cookie header and the final status."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        response = opener.open(base + path, timeout=10)
        status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, status


def status_of(url: str, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def wrk(url: str, cookie: str = "") -> tuple[float, int]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None) if "BENCH_REDIS_URL" not in os.environ else env.update(
        REDIS_URL=os.environ["BENCH_REDIS_URL"]
    )
    manage = [PY, "manage.py"]
    for args in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "benchmarks.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    rows = []
    try:
        wait_for(base + "/bench/bare/")
        wrk(base + "/bench/bare/")  # warm-up
        bare_before, _ = wrk(base + "/bench/bare/")
        choices = picker_choices(base)
        for name, path, kind, needs_session in PAGES:
            path = path.format(**choices)
            cookie = ""
            if needs_session:
                cookie, _ = session_cookie(base, "/thu-tuc/cap-cccd/")
            status = status_of(base + path, cookie)
            if status != 200:
                rows.append((name, path, kind, None, None, f"HTTP {status}: not measured"))
                continue
            wrk(base + path, cookie)  # warm-up: caches, lazy imports
            rps, bad = wrk(base + path, cookie)
            rows.append((name, path, kind, rps, bad, ""))
        bare_after, _ = wrk(base + "/bench/bare/")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)

    bare = (bare_before + bare_after) / 2
    failed = False
    lines = [
        "# Page throughput as a ratio to a bare Django view",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (benchmarks/pages.py): gunicorn with 2 "
        f"workers, DEBUG off, SQLite with the demo data, wrk 1 thread × {CONNECTIONS} connections × {SECONDS} s "
        f"per page on loopback; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        f"Bare view (`/bench/bare/`, same middleware): {bare_before:.0f} req/s before the pages, "
        f"{bare_after:.0f} after; mean {bare:.0f}.",
        "",
        "| Page | Path | Kind | Target | req/s | Ratio | Result |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for name, path, kind, rps, bad, note in rows:
        target = TARGETS[kind]
        if rps is None:
            lines.append(f"| {name} | `{path}` | {kind} | {target:.0%} | – | – | {note} |")
            continue
        ratio = rps / bare
        ok = ratio >= target and not bad
        failed |= not ok
        result = "ok" if ok else ("MISSED" if not bad else f"{bad} error responses")
        lines.append(f"| {name} | `{path}` | {kind} | {target:.0%} | {rps:.0f} | {ratio:.1%} | {result} |")
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "benchmarks" / "results" / "pages.md"
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
