"""Demo SLA timers for `aftersales demo`: each demo dispute's timeline replayed through
the timer rules the live system applies (`services._run_batches`: the policy in force,
its overrides and the working calendar), plus what a handler and the one-minute scan
would have added along the way:

- pauses while waiting on the customer (an `sla_paused` event, and `sla_resumed` when
  the customer answered) on some pausable timers, early in their run;
- each at-risk and breach crossing the scan claimed at the first minute after it, with
  its timeline event and inbox notifications, as `scan._tell` writes them. A crossing
  that falls after `now` is left to the first `aftersales sla scan`.

An escalation's milestones are heard as `escalation_file`, `_accept` and `_conclude` let
the timers hear them: at the end of the filing (acceptance, outcome) day, in the order
they were recorded; each filing and acceptance event then lists the outside deadlines
running after it, as the service writes them.

Multi-row inserts only; Dispute.due_at set in one UPDATE. Idempotent: disputes that
already have timers are skipped. Called once by `demo_populate`; the crossings the scan
made: `timer_crossings`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from aftersales.common.fastinsert import build, from_row, insert_many
from aftersales.demo.timer_crossings import kind_names, scan_history
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind, new_event
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.models import TaskReport
from aftersales.mediation.timeline import MediationKind
from aftersales.notifications.models import Notification
from aftersales.parties.roles import Role
from aftersales.sla.calendar import to_shanghai
from aftersales.sla.models import Timer
from aftersales.sla.policy import PAUSE_SIGNAL, RESUME_SIGNAL
from aftersales.sla.policy_versions import CurrentPolicy, current_policy
from aftersales.sla.signals import HOOKED_EVENT_KINDS, signals_of, task_signals
from aftersales.sla.timeline import SlaKind
from aftersales.sla.timers import _run_batches, refresh_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "demo:"
TIMED_EVENT_KINDS = (
    *HOOKED_EVENT_KINDS,
    DisputeKind.ACTION,
    SlaKind.SLA_PAUSED,
    SlaKind.SLA_RESUMED,
    MediationKind.ESCALATION_FILED,
    MediationKind.ESCALATION_ACCEPTED,
    MediationKind.ESCALATION_CONCLUDED,
)
# Share of pausable timers a handler paused while waiting on the customer: still waiting
# (open disputes), and waited then went on (finished timers).
PAUSED_NOW = 0.35
PAUSED_BEFORE = 0.12
PAUSE_REASONS = {
    "investigation": (
        "等待顾客补充商品照片和视频",
        "等待顾客提供购买凭证和聊天记录",
        "等待顾客寄回商品以便质检",
    ),
    "follow_up": (
        "回访电话未接通，已短信请顾客方便时回电",
        "顾客表示外出，约定晚些时候再回访",
    ),
}
# Open disputes whose running pausable timer may be waiting on the customer now.
WAITING_STATES = (Status.INVESTIGATING, Status.FOLLOW_UP)
RESUME_REASONS = ("顾客已回复", "顾客已补充材料", "已联系上顾客")
# (when it was recorded: the order the service heard it in, signals, when heard, status)
BATCH = list[tuple[dt.datetime, list[str], dt.datetime, str]]
MILESTONES = {
    MediationKind.ESCALATION_FILED: (rules.Milestone.FILED, "filed_on"),
    MediationKind.ESCALATION_ACCEPTED: (rules.Milestone.ACCEPTED, "accepted_on"),
    MediationKind.ESCALATION_CONCLUDED: (rules.Milestone.CONCLUDED, "concluded_on"),
}


@dataclass
class DemoTimers:
    timers: int = 0
    running: int = 0
    paused: int = 0
    breached: int = 0
    stopped: int = 0
    met: int = 0
    missed: int = 0
    events: int = 0
    notifications: int = 0


@dataclass
class _Case:
    dispute: Dispute
    batches: BATCH
    handler: str  # who acted last on the timeline, for the pause events
    # escalation filings and acceptances: (event id, payload, recorded at, route)
    milestones: list[tuple[int, dict, dt.datetime, str]] = field(default_factory=list)


def populate(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoTimers:
    """Timers, pauses and past crossings for the demo disputes that have no timers."""
    now = now or timezone.now()
    out = DemoTimers()
    current = current_policy()
    if current is None:
        return out
    rng = random.Random(f"aftersales-demo-timers:{seed}")
    cases = _cases(now)
    pausable = {k.code for k in current.policy.kinds if k.pausable}
    code_of = {k.id: k.code for k in current.policy.kinds}
    users = get_user_model().objects
    management = list(
        users.filter(is_active=True, groups__name=Role.MANAGEMENT.value)
        .values_list("id", flat=True)
        .distinct()
    )
    names = kind_names()
    shown = dict(
        users.filter(staff_profile__isnull=False).values_list("pk", "staff_profile__display_name")
    )

    timers: list[Timer] = []
    events: list[Event] = []
    notes: list[Notification] = []
    milestones: list[Event] = []
    for case in cases.values():
        d = case.dispute
        created = _replay(case, current)
        wait = None
        for timer in created:
            code = code_of.get(timer.kind_id)
            if code in pausable:
                wait = _pause_window(rng, timer, d, now)
            if wait is not None:
                break  # one wait on the customer per dispute is plenty
        if wait is not None:
            pause_at, resume_at = wait
            handler = shown.get(d.assignee_id) or case.handler
            reasons = PAUSE_REASONS.get(code, PAUSE_REASONS["follow_up"])
            batches = [([PAUSE_SIGNAL], pause_at, rng.choice(reasons))]
            if resume_at is not None:
                batches.append(([RESUME_SIGNAL], resume_at, rng.choice(RESUME_REASONS)))
            for signals, at, reason in batches:
                kind = SlaKind.SLA_PAUSED if signals == [PAUSE_SIGNAL] else SlaKind.SLA_RESUMED
                events.append(
                    new_event(kind, dispute_id=d.pk, actor_label=handler, reason=reason, at=at)
                )
                case.batches.append((at, signals, at, ""))
            case.batches.sort(key=lambda b: b[0])
            created = _replay(case, current)
        for timer in created:
            waited = wait if (timer.paused_at is not None or timer.paused_seconds) else None
            scan_history(timer, d, waited, now, code_of, names, management, events, notes)
        timers += created
        milestones += _deadlines(case, current, code_of)

    with transaction.atomic():
        insert_many(timers)
        for event in events:
            timer = event.payload.get("timer") if event.payload else None
            if isinstance(timer, Timer):
                event.payload = {**event.payload, "timer": timer.pk}
        insert_many(events)
        insert_many(notes)
        _write_payloads(milestones)
        refresh_due(cases)
    _count(out, timers)
    out.events, out.notifications = len(events), len(notes)
    return out


def _cases(now: dt.datetime) -> dict[int, _Case]:
    """The demo disputes without timers, each with its timeline as timer signals."""
    has_timers = Timer.objects.filter(dispute=OuterRef("pk"))
    disputes = {
        d.pk: d
        for d in Dispute.objects.filter(intake_key__startswith=KEY_PREFIX)
        .exclude(Exists(has_timers))
        .select_related("team")
        .only(
            "id", "number", "category", "severity", "channel", "status", "is_open",
            "assignee_id", "team__lead_id", "received_at",
        )
    }  # fmt: skip
    cases: dict[int, _Case] = {}
    for event_id, dispute_id, kind, action, payload, at, to_status, label in (
        Event.objects.filter(dispute__intake_key__startswith=KEY_PREFIX, kind__in=TIMED_EVENT_KINDS)
        .order_by("at", "id")
        .values_list(
            "id", "dispute_id", "kind", "action", "payload", "at", "to_status", "actor_label"
        )
    ):
        d = disputes.get(dispute_id)
        if d is None:
            continue
        case = cases.get(dispute_id)
        if case is None:
            case = cases[dispute_id] = _Case(d, [], "system")
        payload = payload or {}
        if kind in MILESTONES:
            case.batches.append((at, *_milestone(kind, payload, at)))
            if kind != MediationKind.ESCALATION_CONCLUDED:
                case.milestones.append((event_id, payload, at, payload["route"]))
            continue
        event = build(Event, kind=kind, action=action, payload=payload)
        case.batches.append((at, signals_of(event), at, to_status))
        if kind == DisputeKind.ACTION:
            case.handler = label
    # Department reports complete their tasks: task:<kind>:done.
    for dispute_id, kind, at in TaskReport.objects.filter(
        dispute__intake_key__startswith=KEY_PREFIX
    ).values_list("dispute_id", "task__kind", "filed_at"):
        if dispute_id in cases:
            cases[dispute_id].batches.append((at, task_signals([kind], "done"), at, ""))
    for case in cases.values():
        case.batches.sort(key=lambda b: b[0])  # stable: same-instant events keep their order
    return cases


def _milestone(kind: str, payload: dict, at: dt.datetime) -> tuple[list[str], dt.datetime, str]:
    """What an escalation milestone's service lets the timers hear, and when: from the end
    of the day it names (the outcome no later than when it was recorded)."""
    from aftersales.mediation.escalation import end_of_day

    milestone, day_field = MILESTONES[kind]
    route = payload["route"]
    when = end_of_day(dt.date.fromisoformat(payload[day_field]))
    if milestone is rules.Milestone.CONCLUDED:
        return [rules.signal(milestone, route)], min(when, at), ""
    return rules.signals(milestone, route, escalate_applied=True), when, ""


def _replay(case: _Case, current: CurrentPolicy, upto: dt.datetime | None = None) -> list[Timer]:
    batches = [b[1:] for b in case.batches if upto is None or b[0] <= upto]
    created, _changed = _run_batches(case.dispute, batches, current, {})
    return created


def _write_payloads(events: list[Event]) -> None:
    """The escalation events' payloads with their deadlines (written a moment ago by the
    mediation demo, before the timers were replayed)."""
    ops = connection.ops
    table = ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET payload = %s WHERE id = %s",
            [(ops.adapt_json_value(e.payload, None), e.pk) for e in events],
        )


def _deadlines(case: _Case, current: CurrentPolicy, code_of: dict[int, str]) -> list[Event]:
    """Each filing and acceptance event with the route's outside deadlines running once
    it was recorded (`escalation._deadlines`)."""
    out = []
    for event_id, payload, at, route in case.milestones:
        codes = {d.code for d in rules.deadlines_for(route)}
        running = [
            {
                "kind": code_of.get(t.kind_id, ""),
                "due_at": to_shanghai(t.due_at).isoformat(),
                "rule": t.rule,
            }
            for t in _replay(case, current, upto=at)
            if code_of.get(t.kind_id) in codes and t.state == Timer.State.RUNNING
        ]
        out.append(from_row(Event, id=event_id, payload={**payload, "deadlines": running}))
    return out


def _pause_window(
    rng: random.Random, timer: Timer, d: Dispute, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None] | None:
    """When a handler paused this timer (before it was at risk, so no crossing came
    before the pause) and when the customer answered (None: still waiting)."""
    if timer.state == Timer.State.RUNNING and d.status in WAITING_STATES:
        if rng.random() >= PAUSED_NOW:
            return None
        end = min(timer.risk_at, now)
        if end <= timer.started_at + dt.timedelta(minutes=10):
            return None
        return _at(timer.started_at, end, rng.uniform(0.15, 0.7)), None
    if timer.state == Timer.State.STOPPED and timer.stopped_at is not None:
        if rng.random() >= PAUSED_BEFORE:
            return None
        end = min(timer.risk_at, timer.stopped_at)
        if end <= timer.started_at + dt.timedelta(minutes=10):
            return None
        pause = _at(timer.started_at, end, rng.uniform(0.15, 0.7))
        return pause, _at(pause, timer.stopped_at, rng.uniform(0.3, 0.8))
    return None


def _at(a: dt.datetime, b: dt.datetime, share: float) -> dt.datetime:
    return (a + (b - a) * share).replace(microsecond=0)


def _count(out: DemoTimers, timers: list[Timer]) -> None:
    S = Timer.State
    out.timers = len(timers)
    for t in timers:
        if t.state == S.RUNNING:
            out.running += 1
        elif t.state == S.PAUSED:
            out.paused += 1
        elif t.state == S.BREACHED:
            out.breached += 1
        elif t.state == S.STOPPED:
            out.stopped += 1
            if t.stopped_at <= t.due_at and t.breached_at is None:
                out.met += 1
            else:
                out.missed += 1
