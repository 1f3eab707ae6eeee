"""Configuration comes from the environment and is secure by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "q7#Jx9!vLm2$Rt8@Wp4^Zs6&Kd1*Nf3(Hb5)Gc0-Ye7_Ua9+Ti2=Oe4~Pl",
    "DJANGO_ALLOWED_HOSTS": "cccd.example.vn",
    "DATABASE_URL": "sqlite:////tmp/portal-check-deploy.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # required in production (portal.W001); check does not connect
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_has_no_warnings_in_production_configuration():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_debug_is_off_unless_asked_for():
    env = {"DJANGO_SECRET_KEY": PRODUCTION_ENV["DJANGO_SECRET_KEY"]}
    result = _manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "sqlite3 True"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "sqlite3 False"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal"}, "postgresql True"),
    ],
)
def test_embedded_default_and_services_from_environment(env, expected):
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1], settings.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env={"DJANGO_DEBUG": "true", **env})
    assert result.stdout.strip() == expected, result.stderr
