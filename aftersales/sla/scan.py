"""`aftersales sla scan`: timers crossing into at-risk and breached, found and claimed
with set-based SQL, each crossing told exactly once (one timeline event, one inbox
notification; a breach also goes to the team lead, and to management when major).

Exactly once, even with two scans at the same moment: each crossing is claimed by a
conditional `UPDATE … WHERE <not yet> RETURNING`. On PostgreSQL a second scan's UPDATE
waits for the first one's row locks and then re-reads the condition, which no longer
holds; on SQLite writers are serialised. The events and notifications are written in
the same transaction as the claim, so a crash leaves neither.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from aftersales.common.fastinsert import insert_many
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.taxonomy import Severity
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.roles import Role

from .models import Timer, TimerKind
from .timeline import crossing_event

CHUNK = 5000


@dataclass(frozen=True)
class ScanResult:
    at_risk: int
    breached: int
    notifications: int


def _claim(sql: str, params: list) -> list[tuple[int, int, int, dt.datetime, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    convert = connection.ops.convert_datetimefield_value if connection.vendor == "sqlite" else None
    out = []
    for pk, dispute_id, kind_id, due, subject in rows:
        if convert is not None:
            due = convert(due, None, connection)
        out.append((pk, dispute_id, kind_id, due, subject))
    return out


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One pass: at-risk crossings, then breaches. Safe to run at any time, any number
    of times, in any number of processes."""
    now = now or timezone.now()
    table = connection.ops.quote_name(Timer._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic():
        # A timer already past due is reported as breached only, not also as at risk.
        at_risk = _claim(
            f"UPDATE {table} SET at_risk_notified = %s, at_risk_at = %s "
            f"WHERE state = %s AND at_risk_notified = %s AND risk_at <= %s AND due_at > %s "
            f"RETURNING id, dispute_id, kind_id, due_at, subject",
            [True, stamp, Timer.State.RUNNING.value, False, stamp, stamp],
        )
        breached = _claim(
            f"UPDATE {table} SET state = %s, breached_at = %s "
            f"WHERE state = %s AND due_at <= %s "
            f"RETURNING id, dispute_id, kind_id, due_at, subject",
            [Timer.State.BREACHED.value, stamp, Timer.State.RUNNING.value, stamp],
        )
        notes = _tell(at_risk, breached, now)
    return ScanResult(at_risk=len(at_risk), breached=len(breached), notifications=notes)


def _disputes(ids: set[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        for row in Dispute.objects.filter(pk__in=ordered[start : start + CHUNK]).values(
            "id", "number", "severity", "assignee_id", "team__lead_id"
        ):
            found[row["id"]] = row
    return found


def _tell(at_risk: list, breached: list, now: dt.datetime) -> int:
    if not at_risk and not breached:
        return 0
    names = dict(TimerKind.objects.values_list("id", "name"))
    codes = dict(TimerKind.objects.values_list("id", "code"))
    disputes = _disputes({r[1] for r in at_risk} | {r[1] for r in breached})
    management: list[int] = []
    if any(disputes[r[1]]["severity"] == Severity.MAJOR for r in breached):
        management = list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.MANAGEMENT.value)
            .values_list("id", flat=True)
            .distinct()
        )
    events: list[Event] = []
    notes: list[Notification] = []
    for crossing, rows in (("at_risk", at_risk), ("breached", breached)):
        for timer_id, dispute_id, kind_id, due, subject in rows:
            d = disputes[dispute_id]
            major = d["severity"] == Severity.MAJOR
            if crossing == "at_risk":
                note_kind = Notification.Kind.SLA_AT_RISK
                # The handler first; a dispute nobody holds goes to the team lead.
                recipients = [d["assignee_id"] or d["team__lead_id"]]
            else:
                note_kind = Notification.Kind.SLA_BREACHED
                recipients = [d["team__lead_id"] or d["assignee_id"]]
                if major:
                    recipients += management
            event = crossing_event(
                dispute_id=dispute_id,
                crossing=crossing,
                timer=timer_id,
                timer_kind=codes.get(kind_id, ""),
                name=names.get(kind_id, str(kind_id)),
                due_at=due,
                major=major,
                at=now,
                subject=subject,
            )
            events.append(event)
            # The event's text in the site's language; readers of the timeline see theirs.
            reason = event.reason
            title = f"{d['number']} {reason}"[:200]
            for user_id in dict.fromkeys(r for r in recipients if r):
                notes.append(
                    Notification(
                        recipient_id=user_id,
                        dispute_id=dispute_id,
                        kind=note_kind,
                        title=title,
                        created_at=now,
                    )
                )
    insert_many(events)
    notify_staff(notes)
    return len(notes)
