"""Demo mediation records for `aftersales demo`, on the demo disputes whose timelines tell
of them, written as the mediation services write them:

- the investigation: each department task routing gave a dispute that went into
  investigation gets its report (the task done, `task_report_file`'s event) before the
  investigation ended; complex and major disputes get a case meeting and a responsibility
  finding before their proposal (the lifecycle requires them);
- the proposals (`proposals`): drafted and judged by the proposal service itself,
  approved, sent, answered, settled;
- the escalations (`escalations`): the filing with legal's task, the outside body's
  acceptance and outcome;
- the timeline's propose, revise and settle steps then name the proposal and revision
  they stand for, and carry the reason and actor the owning services write.

Multi-row inserts; idempotent (disputes that already have proposals, reports or
escalations are skipped). Called once by `aftersales.demo.populate.demo_populate`."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from aftersales.common.fastinsert import insert_many
from aftersales.demo import escalations as demo_escalations
from aftersales.demo import investigation as demo_investigation
from aftersales.demo import proposals as demo_proposals
from aftersales.demo.commitments import populate_commitments as populate_commitments
from aftersales.demo.proposals import Step
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import DisputeKind
from aftersales.mediation.models import Escalation, Proposal, TaskReport
from aftersales.parties.roles import Role

KEY_PREFIX = "demo:"


@dataclass
class DemoMediation:
    reports: int = 0
    meetings: int = 0
    findings: int = 0
    proposals: int = 0
    revisions: int = 0
    approvals: int = 0
    agreements: int = 0
    rendered: int = 0  # agreements with their PDF
    below_minimum: int = 0
    escalations: int = 0
    tasks: int = 0  # legal's (proposals below the minimum, escalations), finance's


def populate(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoMediation:
    """Add the mediation records to the demo disputes that lack them."""
    now = now or timezone.now()
    rng = random.Random(f"aftersales-demo-mediation:{seed}")
    users = {
        Role(u.username): u
        for u in get_user_model().objects.filter(username__in=[r.value for r in Role])
    }
    done = (
        set(Proposal.objects.values_list("dispute_id", flat=True))
        | set(TaskReport.objects.values_list("dispute_id", flat=True))
        | set(Escalation.objects.values_list("dispute_id", flat=True))
    )
    histories: dict[int, list[Step]] = defaultdict(list)
    for dispute_id, action, at, source, reason, payload in (
        Event.objects.filter(dispute__intake_key__startswith=KEY_PREFIX, kind=DisputeKind.ACTION)
        .order_by("at", "id")
        .values_list("dispute_id", "action", "at", "from_status", "reason", "payload")
    ):
        if dispute_id not in done:
            histories[dispute_id].append(Step(action, at, source, reason, payload or {}))
    disputes = {
        d.pk: d
        for d in Dispute.objects.filter(pk__in=list(histories)).select_related(
            "customer", "order", "order__store", "product"
        )
    }
    tasks = defaultdict(list)
    for task in Task.objects.filter(dispute_id__in=list(histories)).order_by("id"):
        tasks[task.dispute_id].append(task)

    out = DemoMediation()
    with transaction.atomic():
        legal_tasks, events = demo_investigation.investigation(
            rng, seed, now, users, disputes, histories, tasks, out
        )
        written, made = demo_proposals.populate(
            rng=rng, now=now, users=users, disputes=disputes, histories=histories
        )
        events += made
        for dispute_id, reviews in written.legal_tasks.items():
            legal_tasks[dispute_id] = sorted(
                legal_tasks.get(dispute_id, []) + reviews, key=lambda t: t[0].pk
            )
        escalated = demo_escalations.populate(
            rng=rng,
            now=now,
            users=users,
            disputes=disputes,
            histories=histories,
            legal_tasks=legal_tasks,
        )
        events += escalated.events
        events += demo_investigation.payouts(rng, now, users, histories, written.payouts, out)
        insert_many(events)
        _name_steps(written.steps)
    out.proposals, out.revisions = written.proposals, written.revisions
    out.approvals, out.agreements = written.approvals, written.agreements
    out.rendered = written.rendered
    out.below_minimum, out.escalations = written.below_minimum, escalated.escalations
    out.tasks += written.tasks + escalated.tasks
    return out


def _name_steps(steps: dict[tuple[int, dt.datetime], tuple[dict, str, Any, str]]) -> None:
    """The propose, revise and settle steps as `proposal_send` and the customer's
    acceptance write them: the proposal and revision, the reason, who acted. (The steps
    were written by the bulk intake a moment ago, before their proposals existed.)"""
    if not steps:
        return
    rows = []
    for event_id, dispute_id, at in Event.objects.filter(
        dispute_id__in={dispute_id for dispute_id, _at in steps},
        kind=DisputeKind.ACTION,
        action__in=[Action.PROPOSE, Action.REVISE, Action.SETTLE],
    ).values_list("id", "dispute_id", "at"):
        named = steps.get((dispute_id, at))
        if named is not None:
            payload, reason, actor, label = named
            rows.append((payload, reason, actor.pk if actor else None, label, event_id))
    ops = connection.ops
    table = ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET payload = %s, reason = %s, actor_id = %s, actor_label = %s "
            "WHERE id = %s",
            [(ops.adapt_json_value(p, None), *rest) for p, *rest in rows],
        )
