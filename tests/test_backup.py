"""`manage.py backup` / `manage.py restore`: a backup restored into an empty database holds the same rows.

SQLite always (the online backup API); PostgreSQL (pg_dump -Fc / pg_restore) in the `services` pass, into a
database created empty for the test. The restore runs as its own `manage.py` process pointed at the empty
database, as an operator would run it.
"""

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core import audit, backup
from events.models import Event, Session

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def recorded(small_tree, organizer, settings, tmp_path):
    """Bridges, people, an event with a session, audit rows, and uploaded files (a logo, a job's ZIP)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "training" / "logos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "training" / "logos" / "logo.png").write_bytes(b"\x89PNG logo")
    (settings.MEDIA_ROOT / "jobs" / "2026" / "12").mkdir(parents=True)
    (settings.MEDIA_ROOT / "jobs" / "2026" / "12" / "letters.zip").write_bytes(b"PK expiring")
    now = timezone.now().replace(microsecond=0)
    event = Event.objects.create(title="Lễ phát động chuyển đổi số", host=small_tree["host"], starts_at=now,
                                 ends_at=now + timedelta(hours=3), status=Event.Status.PUBLISHED)
    Session.objects.create(event=event, title="Khai mạc", starts_at=now, ends_at=now + timedelta(hours=1))
    audit.record("event.create", user=organizer, target=event, summary=event.title)
    return event


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300, check=False)


def sqlite_rows(path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"'))) for name in names}  # noqa: S608


def test_sqlite_backup_restores_into_an_empty_database_with_the_same_rows(recorded, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite case (this pass runs on PostgreSQL)")
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    made = sorted((tmp_path / "backups").iterdir())
    dump = next(p for p in made if p.name.endswith(".sqlite3"))
    media = next(p for p in made if p.name.endswith("-media.tar.gz"))
    assert oct(dump.stat().st_mode & 0o777) == "0o600" and oct(media.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(media) as archive:
        assert archive.getnames() == ["training", "training/logos", "training/logos/logo.png"]  # job files expire

    empty, restored_media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    env = {"SQLITE_PATH": str(empty), "MEDIA_ROOT": str(restored_media), "DATABASE_URL": ""}
    done = manage("restore", str(dump), "--media", str(media), env=env)
    assert done.returncode == 0, done.stderr
    source = sqlite_rows(connection.settings_dict["NAME"])
    copy = sqlite_rows(empty)
    assert copy == source
    assert len(copy["bridges_person"]) == 12 and len(copy["events_event"]) == 1 and copy["core_auditentry"]
    assert (restored_media / "training" / "logos" / "logo.png").read_bytes() == b"\x89PNG logo"

    # The restored database is not empty any more: a second restore is refused unless --replace.
    again = manage("restore", str(dump), env=env)
    assert again.returncode != 0 and "not empty" in again.stderr
    assert manage("restore", str(dump), "--replace", env=env).returncode == 0


def test_backup_keeps_the_newest_and_refuses_what_is_not_a_backup(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    for stamp in ("20261201-030000", "20261202-030000", "20261203-030000"):
        (folder / f"diemcau-{stamp}.sqlite3").write_bytes(b"x")
        (folder / f"diemcau-{stamp}-media.tar.gz").write_bytes(b"x")
    (folder / "notes.txt").write_text("kept")
    removed = backup._rotate(folder, keep=2)
    assert sorted(p.name for p in removed) == ["diemcau-20261201-030000-media.tar.gz", "diemcau-20261201-030000.sqlite3"]
    assert sorted(p.name for p in folder.iterdir())[-1] == "notes.txt" and len(list(folder.iterdir())) == 5
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(junk)  # this test's database has tables
    if connection.vendor == "sqlite":
        with pytest.raises(backup.BackupError, match="not a SQLite backup"):
            backup.restore(junk, replace=True)


def pg_rows(dsn: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(dsn) as db:
        names = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return {name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"'))) for name in names}  # noqa: S608


@pytest.mark.services
def test_postgresql_backup_restores_into_an_empty_database_with_the_same_rows(recorded, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL case runs in the services pass (DATABASE_URL=postgres://...)")
    for tool in ("pg_dump", "pg_restore"):
        if not shutil_which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install postgresql-client)")
    import psycopg

    call_command("backup", "--output", str(tmp_path / "backups"), "--no-media", stdout=io.StringIO())
    dump = next((tmp_path / "backups").glob("*.pgdump"))
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@" if db.get("USER") else ""
    server = f"postgres://{user}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    target = f"diemcau_restore_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        done = manage("restore", str(dump), env={"DATABASE_URL": f"{server}/{target}"})
        assert done.returncode == 0, done.stderr
        source, copy = pg_rows(f"{server}/{db['NAME']}"), pg_rows(f"{server}/{target}")
        assert copy == source and len(copy["bridges_person"]) == 12 and copy["core_auditentry"]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def shutil_which(tool: str):
    import shutil

    return shutil.which(tool)
