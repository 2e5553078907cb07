"""Backups of everything a deployment holds: the database (SQLite through its online
backup API, PostgreSQL through `pg_dump -Fc`), the uploaded evidence (MEDIA_ROOT) and
the retrained triage models (TRIAGE_MODEL_STORE), with a manifest of sizes and SHA-256
digests, the app version and the applied migrations. Taken while the server runs.

A backup is a folder `aftersales-backup-YYYYMMDD-HHMMSS` (optionally packed as .tar.gz):
    manifest.json      what follows, checked on restore
    database.sqlite3   or database.pgdump
    media/             evidence files, as stored
    triage-models/     retrained models
The database is copied first, then the files: evidence is never changed or deleted once
stored, so every file the database names is in the folder (a file uploaded meanwhile
may be there too, unreferenced)."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "aftersales-backup/1"
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Folders copied with the database: name in the backup → setting naming the place.
FOLDERS = {"media": "MEDIA_ROOT", "triage-models": "TRIAGE_MODEL_STORE"}
COUNTED = {
    "disputes": "disputes.Dispute",
    "events": "disputes.Event",
    "evidence": "disputes.Evidence",
    "users": "auth.User",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (Chinese first)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def app_version() -> str:
    try:
        return version("aftersales")
    except PackageNotFoundError:
        return "unknown"


def folder_path(name: str) -> Path:
    return Path(getattr(settings, FOLDERS[name]))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entries(root: Path) -> list[dict]:
    """Every file under `root` except the manifest: path (POSIX, relative), bytes, SHA-256."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative != MANIFEST:
            entries.append(
                {"path": relative, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
            )
    return entries


def applied_migrations() -> list[str]:
    """`app.name` of every migration applied to the current database, sorted."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def record_counts() -> dict[str, int]:
    """A few counts for a human to compare after a restore (by app label: the jobs app
    imports no domain app)."""
    return {
        label: apps.get_model(model).objects.count()
        for label, model in COUNTED.items()
        if model.split(".")[0] in tables_present()
    }


def tables_present() -> set[str]:
    """App labels whose counted table exists in the current database."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return {
        model.split(".")[0]
        for model in COUNTED.values()
        if apps.get_model(model)._meta.db_table in tables
    }


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"不支持备份该数据库：{vendor} · unsupported database")
    return vendor


# -- SQLite ----------------------------------------------------------------------------


def sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """The online backup API: every page in one step, a consistent snapshot even while
    other connections write (WAL lets them go on)."""
    source.backup(target)


def sqlite_dump(path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        sqlite_copy(connection.connection, target)
        # One self-contained file, whatever journal the live database uses.
        target.execute("PRAGMA journal_mode=DELETE")
        (result,) = target.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"SQLite 备份校验失败：{result} · quick_check failed")
    finally:
        target.close()


def sqlite_load(path: Path) -> None:
    """Replace the current database's content with the backup's, page by page, through
    Django's own connection (so an in-memory test database works as a file does)."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        sqlite_copy(source, connection.connection)
    finally:
        source.close()
    connection.close()


# -- PostgreSQL ------------------------------------------------------------------------


def pg_env() -> dict[str, str]:
    """libpq's environment for the current database (no password on a command line)."""
    s = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if s.get(key):
            env[name] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    options = s.get("OPTIONS") or {}
    for key, name in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[name] = str(options[key])
    env["PGDATABASE"] = s["NAME"]
    return env


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}（PostgreSQL 客户端工具，版本不低于服务器）· {name} not found on PATH"
        )
    return found


def pg_run(args: list[str]) -> None:
    done = subprocess.run(
        args, env=pg_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败 · failed:\n{done.stderr.strip()}")


def pg_dump(path: Path) -> None:
    pg_run([pg_tool("pg_dump"), "--format=custom", "--file", str(path)])


def pg_drop_tables() -> None:
    """Every table and view of the current schema dropped, so the dump is restored into
    nothing (pg_restore --clean would leave the tables the dump does not know)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_table_list(cursor)
        for info in found:
            kind = "VIEW" if info.type == "v" else "TABLE"
            cursor.execute(f"DROP {kind} IF EXISTS {connection.ops.quote_name(info.name)} CASCADE")
    connection.close()


def pg_load(path: Path) -> None:
    pg_drop_tables()
    pg_run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(path),
        ]
    )
    connection.close()


# -- backup ------------------------------------------------------------------------------


def backup_create(*, to: Path, archive: bool = False, now: dt.datetime | None = None):
    """Write a backup under the folder `to`; returns its path and manifest. Written as
    `<name>.partial` and renamed when complete, so a backup that is there is whole."""
    now = now or timezone.now()
    kind = engine()
    name = f"aftersales-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}"
    to = Path(to)
    to.mkdir(parents=True, exist_ok=True)
    final = to / (f"{name}.tar.gz" if archive else name)
    if final.exists():
        raise BackupError(f"已存在同名备份：{final} · a backup of that name exists")
    work = to / f"{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        migrations = applied_migrations()
        counts = record_counts()
        database = work / DATABASE_FILES[kind]
        if kind == "sqlite":
            sqlite_dump(database)
        else:
            pg_dump(database)
        for folder in FOLDERS:
            source = folder_path(folder)
            if source.is_dir():
                shutil.copytree(source, work / folder)
            else:
                (work / folder).mkdir()
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "app_version": app_version(),
            "database": {
                "engine": kind,
                "file": database.name,
                "name": str(connection.settings_dict["NAME"]),
            },
            "migrations": migrations,
            "counts": counts,
            "files": file_entries(work),
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if archive:
            packed = to / f"{name}.tar.gz.partial"
            with tarfile.open(packed, "w:gz") as tar:
                tar.add(work, arcname=name)
            packed.rename(final)
            shutil.rmtree(work)
        else:
            work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        (to / f"{name}.tar.gz.partial").unlink(missing_ok=True)
        raise
    return BackupResult(path=final, manifest=manifest)
