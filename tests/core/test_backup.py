"""deploy/backup: a dump of a live database restored into a fresh database holds the same data; stored files too."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from apps.notifications.models import Notification
from apps.units.models import PoliceUnit
from tests.notifications.factories import NotificationFactory
from tests.units.factories import WardUnitFactory

ROOT = Path(settings.BASE_DIR)
TABLES = ["units_policeunit", "notifications_notification", "django_migrations", "auth_group"]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database(tmp_path):
    WardUnitFactory(name="Công an Phường Xóm Chiếu")
    NotificationFactory(status="sent", channel="sms")
    source = _url(connection.settings_dict["NAME"])
    media, private = tmp_path / "media", tmp_path / "private"
    (media / "news/2026/12").mkdir(parents=True)
    (private / "2026/12").mkdir(parents=True)
    (media / "news/2026/12/cover.jpg").write_bytes(b"\xff\xd8cover")
    (private / "2026/12/photo.jpg").write_bytes(b"\xff\xd8photo")
    env = {
        "PATH": os.environ["PATH"],
        "PORTAL_ENV": str(tmp_path / "no-env-file"),
        "DATABASE_URL": source,
        "MEDIA_ROOT": str(media),
        "REPORTS_PHOTO_ROOT": str(private),
    }
    backups = tmp_path / "backups"
    subprocess.run([ROOT / "deploy/backup/portal-backup", backups], env=env, check=True, capture_output=True)
    dump = next(backups.glob("portal-*.dump"))
    files = next(backups.glob("portal-*.files.tar.gz"))

    restored_name = f"{connection.settings_dict['NAME']}_restored"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        (media / "news/2026/12/cover.jpg").unlink()
        (private / "2026/12/photo.jpg").unlink()
        result = subprocess.run(
            [ROOT / "deploy/backup/portal-restore", dump, files],
            env={**env, "DATABASE_URL": _url(restored_name)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        restored = _counts(_url(restored_name))
        assert restored == _counts(source)
        assert restored["units_policeunit"] == PoliceUnit.objects.count() >= 1
        assert restored["notifications_notification"] == Notification.objects.count() == 1
        with psycopg.connect(_url(restored_name)) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM units_policeunit").fetchall()]
        assert "Công an Phường Xóm Chiếu" in names
        assert (media / "news/2026/12/cover.jpg").read_bytes() == b"\xff\xd8cover"
        assert (private / "2026/12/photo.jpg").read_bytes() == b"\xff\xd8photo"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
