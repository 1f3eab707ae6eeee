#!/usr/bin/env python
"""Throughput of the portal's pages as a ratio to a bare Django view, measured in one run.

Serves the portal the way production does (DEBUG off, gunicorn with 2 workers, collected static files), loads
the demo data into a fresh database, then drives each page with wrk (Debian package `wrk`) on loopback for a
fixed time and compares requests per second with /bench/bare/ measured in the same run (before and after the
pages, averaged). Machines here are noisy, so only ratios are reported. Results: benchmarks/results/pages.md.

Each page is measured BENCH_ROUNDS times (default 3), each round against the bare view measured around that
round; the report gives the median ratio and its spread (min-max), and the target must hold in the median. The
pages that use the cache are then measured again on a second server without any cache (BENCH_CACHE=none, Django's
DummyCache), the same way.

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
import statistics
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
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

# (name, path, kind, needs a session). Content pages must reach 30 % of the bare view; journey pages 10 %.
# A path may contain {unit} and {day}: the first unit and the first bookable day the slot picker links to.
TARGETS = {"content": 0.30, "journey": 0.10}
NOTES_MARK = "<!-- notes: kept when the script rewrites the figures above -->"
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
    ("CCCD: contact", "/thu-tuc/cap-cccd/lien-he/", "journey", True),
    ("CCCD: appointment, units", "/thu-tuc/cap-cccd/lich-hen/", "journey", True),
    ("CCCD: appointment, days", "/thu-tuc/cap-cccd/lich-hen/?unit={unit}", "journey", True),
    ("CCCD: appointment, times", "/thu-tuc/cap-cccd/lich-hen/?unit={unit}&day={day}", "journey", True),
    ("Passport: request", "/thu-tuc/ho-chieu/", "journey", True),
    ("Residence: request", "/thu-tuc/dang-ky-cu-tru/", "journey", False),
    ("Foreigner's stay: request", "/thu-tuc/tam-tru-nguoi-nuoc-ngoai/", "journey", False),
    ("Lookup", "/tra-cuu/", "journey", False),
    ("Report form", "/phan-anh/", "journey", False),
]
# Pages that read the cache (home unit, directory listing, picker fragment, availability): measured again without.
CACHED = {
    "Home",
    "Home (English)",
    "Directory",
    "CCCD: appointment, units",
    "CCCD: appointment, days",
    "CCCD: appointment, times",
}


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
    load_before = os.getloadavg()[0]
    try:
        cached = measure(env, PAGES)
        uncached = measure({**env, "BENCH_CACHE": "none"}, [p for p in PAGES if p[0] in CACHED])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(cached, uncached, load_before)


def measure(env: dict, pages: list) -> dict:
    """Serve with `env`, measure the bare view and `pages` ROUNDS times; returns the bare rates and, per page,
    its path, kind, rates, ratios to the bare view of their round and error responses."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "benchmarks.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results: dict = {"bare": [], "pages": {}}
    try:
        wait_for(base + "/bench/bare/")
        wrk(base + "/bench/bare/")  # warm-up
        choices = picker_choices(base)
        for round_number in range(ROUNDS):
            bare_before, _ = wrk(base + "/bench/bare/")
            rates = {}
            for name, path, kind, needs_session in pages:
                path = path.format(**choices)
                cookie = ""
                if needs_session:
                    cookie, _ = session_cookie(base, "/thu-tuc/cap-cccd/")
                status = status_of(base + path, cookie)
                entry = results["pages"].setdefault(
                    name, {"path": path, "kind": kind, "rates": [], "ratios": [], "bad": 0, "note": ""}
                )
                if status != 200:
                    entry["note"] = f"HTTP {status}: not measured"
                    continue
                if round_number == 0:
                    wrk(base + path, cookie)  # warm-up: caches, lazy imports
                rates[name], bad = wrk(base + path, cookie)
                entry["bad"] += bad
            bare_after, _ = wrk(base + "/bench/bare/")
            bare = (bare_before + bare_after) / 2
            results["bare"].append(bare)
            for name, rps in rates.items():
                results["pages"][name]["rates"].append(rps)
                results["pages"][name]["ratios"].append(rps / bare)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return results


def _spread(values: list[float], fmt: str) -> str:
    if not values:
        return "–"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def report(cached: dict, uncached: dict, load_before: float) -> int:
    failed = False
    lines = [
        "# Page throughput as a ratio to a bare Django view",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (benchmarks/pages.py): gunicorn with 2 "
        f"workers, DEBUG off, SQLite with the demo data, wrk 1 thread × {CONNECTIONS} connections × {SECONDS} s "
        f"per page and round on loopback, {ROUNDS} rounds; {platform.machine()}, {os.cpu_count()} cores shared "
        f"with other work (load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after), "
        f"Python {platform.python_version()}.",
        "",
        "Each round measures the bare view (`/bench/bare/`, same middleware) before and after the pages; a page's "
        "ratio in a round is its rate over the mean bare rate of that round. Reported: the median of the rounds' "
        "ratios and their spread (min–max); the target must hold in the median. Pages marked (uncached) were "
        "measured on a second server without any cache (BENCH_CACHE=none: Django's DummyCache).",
        "",
        f"Bare view: {_spread(cached['bare'], '{:.0f}')} req/s; on the server without any cache: "
        f"{_spread(uncached['bare'], '{:.0f}')} req/s (median (min–max) of the rounds).",
        "",
        "| Page | Path | Kind | Target | req/s (median) | Ratio: median (min–max) | Result |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    rows = list(cached["pages"].items())
    rows += [(f"{name} (uncached)", entry) for name, entry in uncached["pages"].items()]
    for name, entry in rows:
        target = TARGETS[entry["kind"]]
        if not entry["ratios"]:
            lines.append(f"| {name} | `{entry['path']}` | {entry['kind']} | {target:.0%} | – | – | {entry['note']} |")
            failed = True
            continue
        ratio = statistics.median(entry["ratios"])
        ok = ratio >= target and not entry["bad"]
        failed |= not ok
        result = "ok" if ok else ("MISSED" if not entry["bad"] else f"{entry['bad']} error responses")
        lines.append(
            f"| {name} | `{entry['path']}` | {entry['kind']} | {target:.0%} | "
            f"{statistics.median(entry['rates']):.0f} | {_spread(entry['ratios'], '{:.1%}')} | {result} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "benchmarks" / "results" / "pages.md"
    notes = ""
    if out.exists() and NOTES_MARK in out.read_text():
        notes = out.read_text().split(NOTES_MARK, 1)[1]
    out.write_text(text + "\n" + NOTES_MARK + notes)
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
