"""The at-risk and breach crossings the one-minute scan made on a demo timer while it
ran, with their timeline events and inbox notifications, as `sla.scan._tell` writes
them (`scan_history`)."""

from __future__ import annotations

import datetime as dt

from aftersales.common.fastinsert import build
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.taxonomy import Severity
from aftersales.notifications.models import Notification
from aftersales.sla.models import Timer, TimerKind
from aftersales.sla.timeline import crossing_event


def _tick(moment: dt.datetime) -> dt.datetime:
    """The first whole minute after `moment`: when the scan (every minute) saw it."""
    return moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def scan_history(
    timer: Timer,
    d: Dispute,
    pause: tuple[dt.datetime, dt.datetime | None] | None,
    now: dt.datetime,
    code_of: dict[int, str],
    names: dict[int, str],
    management: list[int],
    events: list[Event],
    notes: list[Notification],
) -> None:
    """Mark the crossings the scan made while the timer ran, with their events and
    notifications (texts and recipients as in `scan._tell`)."""
    end = timer.stopped_at or now

    def running_at(t: dt.datetime) -> bool:
        if not timer.started_at <= t < end:
            return False
        if pause is None:
            return True
        return not (pause[0] <= t and (pause[1] is None or t < pause[1]))

    seen_risk, seen_due = _tick(timer.risk_at), _tick(timer.due_at)
    if seen_risk < timer.due_at and seen_risk <= now and running_at(seen_risk):
        timer.at_risk_notified, timer.at_risk_at = True, seen_risk
        tell = (code_of, names, management, events, notes, now)
        _crossing(timer, d, "at_risk", seen_risk, *tell)
    if seen_due <= now and running_at(seen_due):
        timer.breached_at = seen_due
        if timer.state == Timer.State.RUNNING:
            timer.state = Timer.State.BREACHED
        _crossing(timer, d, "breached", seen_due, code_of, names, management, events, notes, now)


def _crossing(timer, d, crossing, at, code_of, names, management, events, notes, now) -> None:
    lead = d.team.lead_id if d.team_id else None
    major = d.severity == Severity.MAJOR
    if crossing == "at_risk":
        note_kind = Notification.Kind.SLA_AT_RISK
        recipients = [d.assignee_id or lead]
    else:
        note_kind = Notification.Kind.SLA_BREACHED
        recipients = [lead or d.assignee_id]
        if major:
            recipients += management
    event = crossing_event(
        dispute_id=d.pk,
        crossing=crossing,
        timer=timer,  # its id once inserted (populate)
        timer_kind=code_of.get(timer.kind_id, ""),
        name=names.get(timer.kind_id, str(timer.kind_id)),
        due_at=timer.due_at,
        major=major,
        at=at,
    )
    events.append(event)
    reason = event.reason
    # Read within the hour when older than a day; e-mailed at the time (no backlog).
    read = at + dt.timedelta(minutes=20) if at < now - dt.timedelta(days=1) else None
    for user_id in dict.fromkeys(r for r in recipients if r):
        notes.append(
            build(
                Notification,
                recipient_id=user_id,
                dispute_id=d.pk,
                kind=note_kind,
                title=f"{d.number} {reason}"[:200],
                created_at=at,
                emailed_at=at,
                read_at=read,
            )
        )


def kind_names() -> dict[int, str]:
    return dict(TimerKind.objects.values_list("id", "name"))
