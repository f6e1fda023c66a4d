"""Backups of the database (and the uploaded files), and restoring them into an empty database.

SQLite: Python's `sqlite3.Connection.backup` (SQLite's online backup API) copies a consistent snapshot
while the site runs, then the copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump -Fc`
(custom format) and `pg_restore`, with the password handed over in the environment, never on the command
line. Uploaded files (certificate logos, follow-up attachments) go in a tar.gz beside the dump; job files
are left out (they expire, core.jobs.retention). Backup files hold personal data: they are written 0600.

The commands are `manage.py backup` and `manage.py restore` (core/management/commands); README says
how to schedule them.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .jobs.retention import JOB_FILES_DIR

PREFIX = "diemcau-"
SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
MEDIA_SUFFIX = "-media.tar.gz"
_STAMPED = re.compile(rf"^{PREFIX}(\d{{8}}-\d{{6}})(?:{re.escape(SQLITE_SUFFIX)}|{re.escape(PG_SUFFIX)}"
                      rf"|{re.escape(MEDIA_SUFFIX)})$")


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason for the operator."""


@dataclass
class BackupResult:
    database: Path
    media: Path | None = None
    removed: list[Path] = field(default_factory=list)


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


# --- backup ---------------------------------------------------------------------------------------

def backup(directory: Path | str | None = None, *, media: bool = True, keep: int | None = None,
           alias: str = "default") -> BackupResult:
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    kind = vendor(alias)
    if kind == "sqlite":
        target = directory / f"{PREFIX}{stamp}{SQLITE_SUFFIX}"
        _backup_sqlite(connections[alias].settings_dict["NAME"], target)
    elif kind == "postgresql":
        target = directory / f"{PREFIX}{stamp}{PG_SUFFIX}"
        _backup_postgresql(connections[alias].settings_dict, target)
    else:
        raise BackupError(f"No backup for the {kind} database engine.")
    result = BackupResult(database=target)
    if media:
        result.media = _backup_media(directory / f"{PREFIX}{stamp}{MEDIA_SUFFIX}")
    if keep:
        result.removed = _rotate(directory, keep)
    return result


def _private(path: Path) -> None:
    os.chmod(path, 0o600)


def _backup_sqlite(source: str, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # Pages are copied in steps; a write by the site meanwhile restarts the copy, so the copy is one
        # consistent snapshot whatever runs beside it.
        src.backup(dst, pages=1024)
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {verdict}")
    _private(partial)
    partial.rename(target)


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")), ("PGUSER", db.get("USER")),
                       ("PGPASSWORD", db.get("PASSWORD")), ("PGDATABASE", db.get("NAME"))):
        if value:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _backup_postgresql(db: dict, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    _private(partial)
    partial.rename(target)


def _backup_media(target: Path) -> Path | None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return None
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for path in sorted(root.iterdir()):
            if path.name != JOB_FILES_DIR:
                archive.add(path, arcname=path.name)
    _private(partial)
    partial.rename(target)
    return target


def _rotate(directory: Path, keep: int) -> list[Path]:
    """Keep the `keep` newest backups (a database file and its media archive count as one)."""
    stamps = sorted({m.group(1) for p in directory.iterdir() if (m := _STAMPED.match(p.name))}, reverse=True)
    removed = []
    for stamp in stamps[keep:]:
        for path in directory.glob(f"{PREFIX}{stamp}*"):
            if _STAMPED.match(path.name):
                path.unlink()
                removed.append(path)
    return removed


# --- restore --------------------------------------------------------------------------------------

def tables(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def restore(database_file: Path | str, *, media_file: Path | str | None = None, replace: bool = False,
            alias: str = "default") -> None:
    """Restore a backup into the configured database, which must be empty unless `replace`."""
    source = Path(database_file)
    if not source.is_file():
        raise BackupError(f"No such backup file: {source}")
    existing = tables(alias)
    if existing and not replace:
        raise BackupError(f"The database is not empty ({len(existing)} tables). Restore into an empty database, "
                          "or pass --replace to overwrite it (stop the site and the workers first).")
    kind = vendor(alias)
    if kind == "sqlite":
        _restore_sqlite(source, connections[alias].settings_dict["NAME"], alias)
    elif kind == "postgresql":
        _restore_postgresql(source, connections[alias].settings_dict, replace=bool(existing))
    else:
        raise BackupError(f"No restore for the {kind} database engine.")
    if media_file:
        restore_media(media_file)


def _restore_sqlite(source: Path, target: str, alias: str) -> None:
    with source.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{source} is not a SQLite backup (a PostgreSQL dump needs DATABASE_URL).")
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The backup failed its integrity check: {verdict}")
        connections[alias].close()
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _restore_postgresql(source: Path, db: dict, *, replace: bool) -> None:
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={db['NAME']}"]
    if replace:
        command += ["--clean", "--if-exists"]
    connections["default"].close()
    done = subprocess.run([*command, str(source)], env=_pg_env(db), capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def restore_media(media_file: Path | str) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(media_file, "r:gz") as archive:
        # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
        archive.extractall(root, filter="data")
