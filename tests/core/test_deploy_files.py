"""The container files, checked without a Docker daemon (CI has none, so the image itself is never built there):
what deploy/Dockerfile copies exists and nothing local is sent with it, its build-time commands work with only the
environment it gives them, it starts what the systemd unit starts, and deploy/compose.yaml runs the same worker and
beat command lines as deploy/systemd."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCKERFILE = (ROOT / "deploy/Dockerfile").read_text()


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continued lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", "\n".join(ln for ln in DOCKERFILE.splitlines() if not ln.lstrip().startswith("#")))
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in text.splitlines() if ln.strip()]


def _unit_exec_start(name: str) -> list[str]:
    text = (ROOT / f"deploy/systemd/{name}").read_text().replace("\\\n", " ")
    return shlex.split(re.search(r"^ExecStart=(.*)$", text, re.M)[1])


def test_the_dockerfile_copies_files_that_exist_and_starts_what_the_web_unit_starts():
    instructions = _instructions()
    base = next(args for op, args in instructions if op == "FROM")
    version = tuple(int(n) for n in re.search(r"python:(\d+)\.(\d+)", base).groups())
    assert version >= (3, 12)  # pyproject: requires-python >= 3.12
    copies = [shlex.split(args)[:-1] for op, args in instructions if op == "COPY"]
    assert copies == [["requirements.lock"], ["."]]
    assert (ROOT / "requirements.lock").read_text().count("--hash=sha256:") > 50  # the hashed lock, not a list
    run = " ".join(args for op, args in instructions if op == "RUN")
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in run
    cmd = [word.strip('",') for word in re.findall(r'"[^"]+"', next(a for op, a in instructions if op == "CMD"))]
    web = _unit_exec_start("portal-web.service")
    assert cmd == ["gunicorn", *web[1:]] == ["gunicorn", "config.wsgi", "--config", "deploy/gunicorn.conf.py"]
    assert (ROOT / cmd[-1]).is_file()
    healthcheck = next(a for op, a in instructions if op == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    assert "GUNICORN_BIND=0.0.0.0:8000" in next(a for op, a in instructions if op == "ENV")


def test_the_build_context_leaves_out_the_hosts_virtualenv_data_and_secrets():
    ignored = {ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines() if ln and ln[0] != "#"}
    for entry in (".git", ".venv", "db.sqlite3", "staticfiles/", "media/", "*.mo", "deploy/portal.env"):
        assert entry in ignored, entry


def test_the_build_time_commands_work_with_only_the_dockerfiles_environment(tmp_path):
    """RUN compilemessages / collectstatic get no database, Redis or secrets: the settings must load without them."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": "build-only", "DJANGO_DEBUG": "false"}
    for op, args in _instructions():
        if op == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(args)))
    env["STATIC_ROOT"] = str(tmp_path / "static")  # not the working tree's staticfiles/
    run = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run", "-v", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert re.search(r"\b[1-9]\d* static files? copied", run.stdout), run.stdout[-500:]
    assert "compilemessages" in DOCKERFILE and "config.settings.test" in DOCKERFILE


def test_compose_runs_the_same_worker_and_beat_as_the_systemd_units():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert services[name]["env_file"] == "portal.env"
    worker = _unit_exec_start("portal-worker.service")
    beat = _unit_exec_start("portal-beat.service")
    assert services["worker"]["command"][:4] == ["celery", *worker[1:4]] == ["celery", "-A", "config", "worker"]
    assert "--max-tasks-per-child=500" in services["worker"]["command"] and "--max-tasks-per-child=500" in worker
    assert services["beat"]["command"] == ["celery", *beat[1:]]
    migrate = services["migrate"]["command"][-1]
    for command in re.findall(r"manage\.py (\w+)", migrate):
        assert list(ROOT.glob(f"apps/*/management/commands/{command}.py")) or command == "migrate", command
