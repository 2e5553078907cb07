"""Reads of the SLA app: a dispute's timers with their remaining time, per clock."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from aftersales.disputes.models import Dispute

from .calendar import Unit, WorkCalendar, to_shanghai
from .models import Timer
from .policy import CLOCK_LABELS, clock_of
from .working_calendar import calendar


def timers_of(dispute: Dispute) -> QuerySet[Timer]:
    return (
        Timer.objects.filter(dispute=dispute)
        .select_related("kind", "policy_version")
        .order_by("started_at", "id")
    )


def remaining_seconds(
    timer: Timer, now: dt.datetime, cal: WorkCalendar | None = None
) -> int | None:
    """Time left on the timer's own clock (negative when overdue); None once stopped.
    Business hours count only opening hours; working days count whole non-working days
    out; wall clocks count everything. A paused timer shows what it had left at the pause.
    """
    if timer.state in (Timer.State.STOPPED, Timer.State.CANCELLED):
        return None
    cal = cal or calendar()
    at = timer.paused_at if timer.state == Timer.State.PAUSED else now
    unit = Unit(timer.unit)
    if unit is Unit.BUSINESS_HOURS:
        return cal.business_seconds_between(at, timer.due_at)
    wall = int((timer.due_at - at).total_seconds())
    if unit is Unit.WORKING_DAYS:
        first, last = sorted((to_shanghai(at).date(), to_shanghai(timer.due_at).date()))
        days = (last - first).days - cal.working_days_between(first, last)
        # Whole non-working days in between do not count down.
        return wall - 86400 * days if wall > 0 else wall
    return wall


@dataclass(frozen=True)
class TimerView:
    kind: str
    name: str
    # What the clock is for: "" (the dispute) or an after-sale order ("aftersale:<id>").
    subject: str
    clock: str
    clock_label: str
    state: str
    state_label: str
    paused: bool
    paused_at: dt.datetime | None
    paused_seconds: int
    started_at: dt.datetime
    due_at: dt.datetime
    risk_at: dt.datetime
    remaining_seconds: int | None
    at_risk: bool
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None
    stopped_by: str
    limit: str
    unit: str
    rule: str
    policy_version: int
    provisional: bool  # counted across a year with no holidays entered
    provisional_reason: str


def timer_views(dispute: Dispute, now: dt.datetime | None = None) -> list[TimerView]:
    now, cal = now or timezone.now(), calendar()
    return [
        TimerView(
            kind=t.kind.code,
            name=t.kind.name,
            subject=t.subject,
            clock=clock_of(t.unit),
            clock_label=CLOCK_LABELS[clock_of(t.unit)],
            state=t.state,
            state_label=t.get_state_display(),
            paused=t.state == Timer.State.PAUSED,
            paused_at=t.paused_at,
            paused_seconds=t.paused_seconds,
            started_at=t.started_at,
            due_at=t.due_at,
            risk_at=t.risk_at,
            remaining_seconds=remaining_seconds(t, now, cal),
            at_risk=t.at_risk_notified,
            breached_at=t.breached_at,
            stopped_at=t.stopped_at,
            stopped_by=t.stopped_by,
            limit=format(t.limit.normalize(), "f"),
            unit=t.unit,
            rule=t.rule,
            policy_version=t.policy_version.number,
            provisional=t.provisional,
            provisional_reason=t.provisional_reason,
        )
        for t in timers_of(dispute)
    ]
