"""aftersales backup --to DIR — the database, the evidence files and the retrained
triage models in one timestamped folder (or .tar.gz) with a manifest; safe while the
server and workers run. See docs/operations.md."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.jobs.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库、证据文件和重训的分类模型（服务运行中即可备份）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, help="备份存放的目录")
        parser.add_argument(
            "--archive", action="store_true", help="打包为一个 .tar.gz 文件，而不是文件夹"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(to=options["to"], archive=options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        files = manifest["files"]
        counts = "，".join(f"{k} {v}" for k, v in manifest["counts"].items())
        self.stdout.write(
            f"备份完成 · backup written: {manifest['database']['engine']}，"
            f"{len(files)} 个文件，共 {sum(f['bytes'] for f in files)} 字节（{counts}）"
        )
        # The path alone on the last line, for scripts.
        self.stdout.write(str(result.path))
