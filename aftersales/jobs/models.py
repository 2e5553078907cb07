"""The periodic schedule's ledger: one row per job and slot, so each slot is enqueued
once however many workers run."""

from django.db import models


class ScheduledRun(models.Model):
    job = models.CharField("任务", max_length=50)
    slot = models.DateTimeField("计划时间")
    task_id = models.CharField("后台任务编号", max_length=64)
    enqueued_at = models.DateTimeField("入队时间")

    class Meta:
        verbose_name = "定时任务记录"
        verbose_name_plural = "定时任务记录"
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A running `aftersales worker`, seen every few seconds. A task whose worker has not
    been seen for TASK_STALE_AFTER_SECONDS was lost with it and is queued again."""

    worker_id = models.CharField("进程编号", max_length=64, unique=True)
    host = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台任务进程"
        verbose_name_plural = "后台任务进程"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
