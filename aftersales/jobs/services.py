"""Enqueue what the schedule says is due, once per slot across all workers."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun
from .schedule import DEFAULT_JOBS, Job, due_slot

logger = logging.getLogger("aftersales.jobs")


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
