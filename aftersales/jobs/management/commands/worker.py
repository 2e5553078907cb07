"""aftersales worker — run background tasks (django-tasks, database backend) and the
periodic schedule (the SLA scan every minute, the daily checks at 08:30).

Several workers may run on one database: each claims tasks with row locks (the
backend's worker), and each schedule slot is enqueued once (a unique ledger row).
Beside the task loop a housekeeping thread says every few seconds that this worker is
alive, and queues again the tasks of workers that stopped saying so (killed mid-task):
see aftersales.jobs.services.reclaim_stale and docs/operations.md.
"""

import contextlib
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from aftersales.jobs.services import (
    enqueue_due,
    heartbeat,
    heartbeat_end,
    reclaim_stale,
    stale_after_seconds,
)

SCHEDULE_EVERY_SECONDS = 10


class Command(BaseCommand):
    help = "运行后台任务与定时计划（每分钟一次 SLA 扫描，每天 08:30 每日主动检查）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="无任务时的轮询间隔（秒）")
        parser.add_argument(
            "--batch", action="store_true", help="排入到期的定时任务、执行完队列中的任务后退出"
        )
        parser.add_argument("--no-schedule", action="store_true", help="只执行任务，不排定时任务")
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="进程失联多少秒后收回其任务（默认 TASK_STALE_AFTER_SECONDS，300）；"
            "所有进程须用同一值",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stale_after = options["stale_after"] or stale_after_seconds()
        if self.stale_after <= 0:
            raise CommandError("--stale-after 必须大于 0")
        self.schedule = not options["no_schedule"]
        self.worker_id = get_random_string(32)
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        worker = Worker(
            queue_names=["default"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        # One pass before the first task: alive, lost tasks queued again, due slots queued.
        self._housekeeping(schedule=self.schedule)
        # In batch mode the thread only keeps the heartbeat (the schedule ran above).
        thread = threading.Thread(
            target=self._housekeep_forever,
            kwargs={"schedule": self.schedule and not options["batch"]},
            daemon=True,
        )
        thread.start()
        self.stdout.write("后台任务进程已启动" + ("（批处理）" if options["batch"] else ""))
        try:
            worker.configure_signals()
            worker.run()
        finally:
            self.stopping.set()
            thread.join(timeout=30)
            with contextlib.suppress(DatabaseError):  # the database may be what stopped us
                heartbeat_end(worker_id=self.worker_id)

    def _housekeeping(self, *, schedule: bool) -> None:
        heartbeat(worker_id=self.worker_id, started_at=self.started_at)
        reclaimed = reclaim_stale(stale_after=self.stale_after)
        for pk in reclaimed.requeued:
            self.stdout.write(f"已重新排队失联进程的任务 {pk}")
        for pk in reclaimed.failed:
            self.stderr.write(f"任务 {pk} 多次随进程丢失，已标记失败")
        if schedule:
            for run in enqueue_due():
                self.stdout.write(f"已排入 {run}")

    def _housekeep_forever(self, *, schedule: bool) -> None:
        # Often enough that a live worker never looks stale to the others.
        every = min(SCHEDULE_EVERY_SECONDS, self.stale_after / 4)
        try:
            while not self.stopping.wait(every):
                try:
                    self._housekeeping(schedule=schedule)
                except Exception as exc:  # keep the thread alive; the next pass retries
                    self.stderr.write(f"后台任务维护失败：{exc}")
                finally:
                    close_old_connections()
        finally:
            connections.close_all()
