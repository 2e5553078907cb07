"""aftersales restore --from PATH [--force] — put a backup written by `aftersales backup`
back: the manifest is checked first, and a database holding disputes or users is only
overwritten with --force. Stop the web server and the workers first. See
docs/operations.md."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.jobs.backup import BackupError
from aftersales.jobs.restore import backup_restore


class Command(BaseCommand):
    help = "从 `aftersales backup` 的备份恢复（先停止网站和后台任务进程）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="source", required=True, type=Path, help="备份文件夹或 .tar.gz"
        )
        parser.add_argument(
            "--force", action="store_true", help="覆盖已有数据（原证据文件夹改名保留）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(source=options["source"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份（版本 {manifest['app_version']}）"
            f" · restored: {counts}"
        )
        for aside in result.set_aside:
            self.stdout.write(f"原文件夹已改名保留 · previous folder kept as: {aside}")
        if result.migrations_to_apply:
            self.stdout.write(
                f"备份缺少 {len(result.migrations_to_apply)} 个迁移，请运行 "
                "`aftersales migrate` · run `aftersales migrate` to bring it up to date"
            )
