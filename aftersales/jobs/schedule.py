"""The periodic schedule, pure: which slot of each job is due at a given moment.

A slot is named by the time it stands for (Asia/Shanghai): an every-N-minutes job has
one slot per N minutes, a daily job one per day at its time. Only the latest due slot
counts — a worker that was down does not replay every missed minute, but a missed
daily run is still made the same day."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Job:
    code: str
    task: str  # dotted path of a django-tasks task that takes no arguments
    every_minutes: int | None = None
    daily_at: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.daily_at is None):
            raise ValueError(f"job {self.code}: give every_minutes or daily_at, not both")
        if self.every_minutes is not None and not 1 <= self.every_minutes <= 1440:
            raise ValueError(f"job {self.code}: every_minutes must be 1–1440")


def due_slot(job: Job, now: dt.datetime) -> dt.datetime | None:
    """The slot of `job` due at `now` (aware), or None when today's daily run is not yet
    due."""
    local = now.astimezone(SHANGHAI)
    if job.every_minutes is not None:
        minutes = local.hour * 60 + local.minute
        start = minutes - minutes % job.every_minutes
        return local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)
    slot = dt.datetime.combine(local.date(), job.daily_at, tzinfo=SHANGHAI)
    return slot if local >= slot else None


DEFAULT_JOBS = (
    Job("sla_scan", "aftersales.sla.tasks.sla_scan", every_minutes=1),
    # Customer messages nobody delivered yet, and refused ones whose retry is due.
    Job("deliver_messages", "aftersales.notifications.tasks.deliver_messages", every_minutes=1),
    # The daily proactive checks (三主动) reach each agent's inbox before the day starts.
    Job("daily_checks", "aftersales.followup.tasks.daily_checks", daily_at=dt.time(8, 30)),
    # From 1 December: admins asked to enter next year's holidays (calendar years).
    Job("calendar_years", "aftersales.sla.tasks.calendar_years", daily_at=dt.time(9, 0)),
    # The portal's sign-in codes of yesterday and before: nothing reads them any more.
    Job(
        "code_requests_purge",
        "aftersales.intake.tasks.code_requests_purge",
        daily_at=dt.time(3, 30),
    ),
)
