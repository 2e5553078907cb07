"""Demo escalations for `aftersales demo`: every escalate step of a demo timeline is the
filing `escalation_file` records: the Escalation with its outside body and reference,
legal's part (its open task, else a new external-case task) and the filing event; the
body's acceptance some days later and its outcome before the dispute moved on (closed,
or a proposal on the body's advice), as `escalation_accept` and `escalation_conclude`
record them; legal then files its opinion on its task (`task_report_file`). The outside
deadlines' timers are the SLA demo's replay of these events (it also writes each event's
deadlines, as the service does once its timers run)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from aftersales.common.fastinsert import build, insert_many
from aftersales.demo.investigation import report_event
from aftersales.disputes.lifecycle import Action, EscalationRoute
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import new_event
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.escalation import LEGAL_TASK_KIND
from aftersales.mediation.models import Escalation, TaskReport
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Department, Role

# Routes whose body formally accepts a case (受理/立案) before working on it.
ACCEPTING = frozenset({"consumer_association", "regulator", "arbitration", "lawsuit"})
PROPOSED_ON_ADVICE = "外部机构组织调解，提出处理意见；按意见提出调解方案"
LegalTasks = dict[int, list[tuple[Task, dt.datetime, dt.datetime | None]]]


@dataclass
class DemoEscalations:
    escalations: int = 0
    accepted: int = 0
    concluded: int = 0
    tasks: int = 0
    events: list[Event] = field(default_factory=list)


def populate(
    *,
    rng: random.Random,
    now: dt.datetime,
    users: dict[Role, Any],
    disputes: dict[int, Dispute],
    histories: dict[int, list],
    legal_tasks: LegalTasks,
) -> DemoEscalations:
    """The escalations of the demo disputes' escalate steps. `histories`: each
    dispute's steps (`demo_proposals.Step` with the step's payload); `legal_tasks`: the
    legal tasks already written, with when each was open."""
    out = DemoEscalations()
    lead, legal = users.get(Role.TEAM_LEAD), users.get(Role.LEGAL)
    plans = []
    new_tasks: list[Task] = []
    for dispute_id, history in histories.items():
        for i, step in enumerate(history):
            if step.action != Action.ESCALATE:
                continue
            following = history[i + 1] if i + 1 < len(history) else None
            d = disputes[dispute_id]
            task = _open_legal_task(legal_tasks.get(dispute_id, []), step.at)
            if task is None:
                label = EscalationRoute(step.payload["route"]).label
                task = build(
                    Task,
                    dispute_id=d.pk,
                    department=Department.LEGAL.value,
                    kind=LEGAL_TASK_KIND,
                    title=f"法务：应对外部投诉（{label}）",
                )
                new_tasks.append(task)
                legal_tasks.setdefault(dispute_id, []).append((task, step.at, None))
            plans.append((d, step, following, task))
    insert_many(new_tasks)
    out.tasks = len(new_tasks)
    escalations = [
        _escalation(rng, now, d, step, following, task, lead) for d, step, following, task in plans
    ]
    insert_many([e for e, _times in escalations])
    reports = []
    for (d, step, following, task), (e, times) in zip(plans, escalations, strict=True):
        _events(out, d, step, following, e, times, lead, legal)
        if "concluded" in times:
            reports.append(
                build(
                    TaskReport,
                    task=task,
                    dispute_id=d.pk,
                    kind=rules.ReportKind.LEGAL.value,
                    text=f"外部途径已有结果：{e.outcome_note}。法务意见及往来材料已归档。",
                    filed_by=legal,
                    # between the outcome and the next step, the dispute still open
                    filed_at=times["concluded"] + (following.at - times["concluded"]) / 2,
                )
            )
    insert_many(reports)
    Task.objects.filter(pk__in=[r.task_id for r in reports]).update(state=Task.State.DONE)
    out.events += [report_event(r, users) for r in reports]
    out.escalations = len(escalations)
    return out


def _open_legal_task(tasks, at: dt.datetime) -> Task | None:
    """Legal's task open at `at`, the oldest first (`escalation._legal_task`)."""
    for task, opened, done in tasks:
        if opened <= at and (done is None or done > at):
            return task
    return None


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _escalation(rng, now, d, step, following, task, lead):
    """The record, accepted and concluded as far as the timeline got; with the times
    each milestone was recorded."""
    payload = step.payload
    route = payload["route"]
    limit = following.at if following is not None else now
    times: dict[str, dt.datetime] = {}
    e = build(
        Escalation,
        dispute_id=d.pk,
        route=route,
        body=payload.get("body", ""),
        reference=payload.get("reference", ""),
        filed_on=_local_day(step.at),
        legal_task=task,
        recorded_by=lead,
        recorded_at=step.at,
    )
    last = step.at
    if route in ACCEPTING:
        accepted = step.at + dt.timedelta(hours=rng.uniform(12, 96))
        if accepted < limit - dt.timedelta(minutes=30):
            accepted = accepted.replace(microsecond=0)
            e.state, e.accepted_on = Escalation.State.ACCEPTED, _local_day(accepted)
            times["accepted"], last = accepted, accepted
    if following is not None and following.action in (Action.CLOSE, Action.PROPOSE):
        concluded = following.at - dt.timedelta(minutes=rng.uniform(5, 60))
        concluded = max(concluded, last + dt.timedelta(seconds=30)).replace(microsecond=0)
        concluded = min(concluded, following.at - dt.timedelta(seconds=1))
        e.state, e.concluded_on = Escalation.State.CONCLUDED, _local_day(concluded)
        if following.action == Action.CLOSE:
            e.outcome, e.outcome_note = _outcome(following.reason), following.reason
        else:
            e.outcome, e.outcome_note = rules.Outcome.AGREEMENT.value, PROPOSED_ON_ADVICE
        times["concluded"] = concluded
    return e, times


def _outcome(text: str) -> str:
    """The outcome the closing reason reports."""
    if "商家无责" in text:
        return rules.Outcome.FOR_MERCHANT.value
    if "支持顾客" in text or "裁决" in text:
        return rules.Outcome.FOR_CUSTOMER.value
    return rules.Outcome.AGREEMENT.value


def _events(out, d, step, following, e: Escalation, times, lead, legal) -> None:
    common = {"escalation": e.pk, "route": e.route}
    filed = common | {
        "body": e.body,
        "reference": e.reference,
        "filed_on": e.filed_on.isoformat(),
        "legal_task": e.legal_task_id,
        "deadlines": [],  # the SLA demo writes the deadlines its replay started
    }
    out.events.append(
        new_event(
            MediationKind.ESCALATION_FILED,
            dispute_id=d.pk,
            actor=lead,
            at=step.at,
            payload=filed,
            reason=step.reason,
        )
    )
    if "accepted" in times:
        out.accepted += 1
        accepted = common | {
            "reference": e.reference,
            "accepted_on": e.accepted_on.isoformat(),
            "deadlines": [],
        }
        out.events.append(
            new_event(
                MediationKind.ESCALATION_ACCEPTED,
                dispute_id=d.pk,
                actor=legal,
                at=times["accepted"],
                payload=accepted,
            )
        )
    if "concluded" in times:
        out.concluded += 1
        concluded = common | {
            "reference": e.reference,
            "outcome": e.outcome,
            "concluded_on": e.concluded_on.isoformat(),
        }
        out.events.append(
            new_event(
                MediationKind.ESCALATION_CONCLUDED,
                dispute_id=d.pk,
                actor=lead,
                at=times["concluded"],
                payload=concluded,
                reason=e.outcome_note,
            )
        )
