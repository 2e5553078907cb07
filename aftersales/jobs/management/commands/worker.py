"""aftersales worker — run background tasks (django-tasks, database backend) and the
periodic schedule (the SLA scan every minute, the daily checks at 08:30).

Several workers may run on one database: each claims tasks with row locks (the
backend's worker), and each schedule slot is enqueued once (a unique ledger row).
"""

import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from aftersales.jobs.services import enqueue_due

SCHEDULE_EVERY_SECONDS = 10


class Command(BaseCommand):
    help = "运行后台任务与定时计划（每分钟一次 SLA 扫描，每天 08:30 每日主动检查）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="无任务时的轮询间隔（秒）")
        parser.add_argument(
            "--batch", action="store_true", help="排入到期的定时任务、执行完队列中的任务后退出"
        )
        parser.add_argument("--no-schedule", action="store_true", help="只执行任务，不排定时任务")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            queue_names=["default"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not options["no_schedule"]:
            if options["batch"]:
                enqueue_due()
            else:
                threading.Thread(target=self._schedule_forever, daemon=True).start()
        self.stdout.write("后台任务进程已启动" + ("（批处理）" if options["batch"] else ""))
        worker.configure_signals()
        worker.run()

    def _schedule_forever(self) -> None:
        while True:
            try:
                made = enqueue_due()
                for run in made:
                    self.stdout.write(f"已排入 {run}")
            except Exception as exc:  # keep the schedule alive; the next pass retries
                self.stderr.write(f"排定时任务失败：{exc}")
            finally:
                close_old_connections()
            time.sleep(SCHEDULE_EVERY_SECONDS)
