"""Writes of the background machinery: enqueue what the schedule says is due (once per
slot across all workers), record that a worker is alive, and queue again the tasks of a
worker that died mid-task."""

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from .models import ScheduledRun, WorkerHeartbeat
from .schedule import DEFAULT_JOBS, Job, due_slot

logger = logging.getLogger("aftersales.jobs")

RUNNING, READY, FAILED = "RUNNING", "READY", "FAILED"
# Recorded as the failure's "exception" when a task is given up after lost attempts.
WORKER_LOST = "aftersales.jobs.services.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped (killed, crashed, machine lost) before the task
    finished."""


def stale_after_seconds() -> float:
    """Seconds without a heartbeat after which a worker counts as dead (default 300)."""
    return float(getattr(settings, "TASK_STALE_AFTER_SECONDS", 300))


def max_attempts() -> int:
    """Attempts a task gets when its workers keep dying under it (default 3)."""
    return int(getattr(settings, "TASK_MAX_ATTEMPTS", 3))


def enqueue_due(*, jobs: tuple[Job, ...] = DEFAULT_JOBS, now=None) -> list[ScheduledRun]:
    """For each job whose current slot has no ledger row yet: write the row and enqueue
    the task in one transaction. A second worker doing the same at the same moment hits
    the unique (job, slot) constraint and enqueues nothing. Jobs whose task cannot be
    imported are reported in the log and skipped."""
    now = now or timezone.now()
    made = []
    for job in jobs:
        slot = due_slot(job, now)
        if slot is None or ScheduledRun.objects.filter(job=job.code, slot=slot).exists():
            continue
        try:
            task = import_string(job.task)
        except ImportError:
            logger.error("定时任务 %s 的任务 %s 不存在，已跳过", job.code, job.task)
            continue
        try:
            with transaction.atomic():
                result = task.enqueue()
                made.append(
                    ScheduledRun.objects.create(
                        job=job.code, slot=slot, task_id=str(result.id), enqueued_at=now
                    )
                )
        except IntegrityError:  # another worker took this slot
            continue
    return made


def heartbeat(*, worker_id: str, started_at: dt.datetime, now=None) -> None:
    """Say that this worker process is alive (one row per worker, refreshed)."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at,
            seen_at=now,
        )


def heartbeat_end(*, worker_id: str) -> None:
    """A worker stopping cleanly leaves no heartbeat behind."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Reclaimed:
    requeued: list[str]
    failed: list[str]


def reclaim_stale(
    *, now=None, stale_after: float | None = None, attempts: int | None = None
) -> Reclaimed:
    """Tasks left RUNNING by a worker that is gone: started more than `stale_after`
    seconds ago, and their worker (the last that claimed them) has not been seen for as
    long. Each goes back to READY for another worker, or, after `attempts` claims, is
    marked FAILED with the reason. A task whose worker is alive is left alone however
    long it runs. Each change is a conditional UPDATE on the row as it was read, so two
    workers reclaiming at once change it once, and a worker that finishes meanwhile wins."""
    now = now or timezone.now()
    stale_after = stale_after_seconds() if stale_after is None else stale_after
    attempts = max_attempts() if attempts is None else attempts
    cutoff = now - dt.timedelta(seconds=stale_after)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued: list[str] = []
    failed: list[str] = []
    candidates = DBTaskResult.objects.filter(status=RUNNING, started_at__lt=cutoff)
    for pk, started_at, worker_ids, task_path in candidates.values_list(
        "pk", "started_at", "worker_ids", "task_path"
    ):
        if worker_ids and worker_ids[-1] in alive:
            continue
        same = DBTaskResult.objects.filter(pk=pk, status=RUNNING, started_at=started_at)
        if len(worker_ids) >= attempts:
            reason = (
                f"{WORKER_LOST}: 执行该任务的后台进程已失联 {len(worker_ids)} 次"
                f"（超过 {stale_after:g} 秒无心跳），不再重试。"
                f"Lost with its worker {len(worker_ids)} times (no heartbeat for "
                f"{stale_after:g} s); not retried. Workers: {', '.join(worker_ids)}\n"
            )
            if same.update(
                status=FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=reason,
                return_value=None,
            ):
                failed.append(str(pk))
                logger.error("任务 %s（%s）多次随进程丢失，已标记失败", pk, task_path)
        elif same.update(status=READY, started_at=None):
            requeued.append(str(pk))
            logger.warning("任务 %s（%s）的进程已失联，已重新排队", pk, task_path)
    # Workers gone for a day are forgotten (their tasks were handled above).
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return Reclaimed(requeued=requeued, failed=failed)
