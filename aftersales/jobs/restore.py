"""Restore a backup written by aftersales.jobs.backup: check the manifest (every file's
size and SHA-256, the database engine, migrations this code knows), refuse to overwrite
a database that holds disputes or users unless forced, then load the database and put
the evidence and triage-model folders in place. The folders they replace are kept aside
as `<folder>.before-restore-<time>` — nothing is deleted."""

import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .backup import (
    COUNTED,
    DATABASE_FILES,
    FOLDERS,
    FORMAT,
    MANIFEST,
    BackupError,
    engine,
    folder_path,
    pg_load,
    record_counts,
    sha256_of,
    sqlite_load,
    tables_present,
)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    set_aside: list[Path]
    migrations_to_apply: list[str]


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The backup folder: `path` itself, or a .tar.gz unpacked into a temporary folder."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    if not path.is_file() or not tarfile.is_tarfile(path):
        raise BackupError(f"不是备份文件夹或 .tar.gz 备份：{path} · not a backup")
    with tempfile.TemporaryDirectory(prefix="aftersales-restore-") as temp:
        with tarfile.open(path) as tar:
            tar.extractall(temp, filter="data")  # no paths outside `temp`, no devices
        inner = [p for p in Path(temp).iterdir() if p.is_dir()]
        if len(inner) != 1:
            raise BackupError(f"备份包应只含一个文件夹：{path} · expected one folder")
        yield inner[0]


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"备份中没有 {MANIFEST} · the manifest is missing") from None
    except ValueError as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc} · unreadable manifest") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r} · unknown backup format")
    return manifest


def verify(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and SHA-256, and nothing
    else is: a backup changed or cut short is refused before anything is touched."""
    listed = {entry["path"]: entry for entry in manifest["files"]}
    present = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    problems = [f"缺少 missing: {p}" for p in sorted(set(listed) - present)]
    problems += [f"多出 not listed: {p}" for p in sorted(present - set(listed))]
    for relative in sorted(set(listed) & present):
        entry, path = listed[relative], folder / relative
        if path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"内容不符 changed: {relative}")
    database = manifest["database"]["file"]
    if database not in listed:
        problems.append(f"缺少数据库文件 missing database: {database}")
    if problems:
        raise BackupError(
            "备份与清单不符，未做任何更改 · the backup does not match its manifest, "
            "nothing was changed:\n  " + "\n  ".join(problems)
        )


def check_migrations(manifest: dict) -> list[str]:
    """Refuse a backup made by newer code (migrations this code does not have); return
    the migrations this code has that the backup lacks (`aftersales migrate` adds them)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    recorded = set(manifest["migrations"])
    unknown = sorted(recorded - known)
    if unknown:
        raise BackupError(
            "备份来自更新的版本，请先升级代码再恢复 · the backup was made by newer code; "
            "upgrade first. Unknown migrations: " + ", ".join(unknown[:10])
        )
    return sorted(known - recorded)


def database_in_use() -> dict[str, int]:
    """What makes a database worth keeping: disputes, and users who can log in (a system
    account a migration creates has no usable password). Empty for a database that is
    new or only migrated (seed rows)."""
    present = tables_present()
    found = {}
    if "disputes" in present:
        found["disputes"] = apps.get_model(COUNTED["disputes"]).objects.count()
    if "auth" in present:
        users = apps.get_model(COUNTED["users"]).objects
        found["users"] = users.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).count()
    return {k: v for k, v in found.items() if v}


def folder_in_use(path: Path) -> bool:
    return path.is_dir() and any(p.is_file() for p in path.rglob("*"))


def put_folder(source: Path, target: Path, stamp: str) -> Path | None:
    """Copy `source` next to `target`, then swap: the old folder is renamed aside (when it
    holds files) and returned, the copy takes its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f"{target.name}.restoring-{stamp}")
    shutil.rmtree(staged, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, staged)
    else:
        staged.mkdir()
    aside = None
    if folder_in_use(target):
        aside = target.with_name(f"{target.name}.before-restore-{stamp}")
        target.rename(aside)
    elif target.exists():
        shutil.rmtree(target)
    staged.rename(target)
    return aside


def backup_restore(*, source: Path, force: bool = False) -> RestoreResult:
    with opened(source) as folder:
        manifest = read_manifest(folder)
        verify(folder, manifest)
        kind = engine()
        if manifest["database"]["engine"] != kind:
            raise BackupError(
                f"备份是 {manifest['database']['engine']} 数据库，当前是 {kind}；"
                "不能跨数据库恢复 · cannot restore across database engines"
            )
        missing = check_migrations(manifest)
        if not force:
            in_use = database_in_use()
            busy = [name for name in FOLDERS if folder_in_use(folder_path(name))]
            if in_use or busy:
                held = ", ".join(f"{k} {v}" for k, v in in_use.items())
                raise BackupError(
                    "目标不是空的，未做任何更改；确认覆盖请加 --force · the target is not "
                    f"empty, nothing was changed; add --force to overwrite "
                    f"(database: {held or '-'}; folders: {', '.join(busy) or '-'})"
                )
        load = sqlite_load if kind == "sqlite" else pg_load
        load(folder / DATABASE_FILES[kind])
        stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}"
        set_aside = [
            aside
            for name in FOLDERS
            if (aside := put_folder(folder / name, folder_path(name), stamp)) is not None
        ]
    connection.close()
    return RestoreResult(
        manifest=manifest,
        counts=record_counts(),
        set_aside=set_aside,
        migrations_to_apply=missing,
    )
