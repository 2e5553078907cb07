"""Demo executions and parcels for `aftersales demo` (SPEC §7): every demo dispute whose
timeline shows an agreed settlement gets the executions its accepted proposal names
(refund, return with refund, exchange, re-shipment, repair, compensation), recorded soon
after the settlement and done by the `complete` step; still pending or in progress while
the dispute is executing (some already done, a few past their expected date), cancelled
when the customer withdrew or escalated first. Returns, exchanges and re-shipments move
parcels with real carriers and tracking numbers, a few with no movement for days.

Refund and compensation dates follow `rules.refund_arrival` by the order's payment
channel; other kinds take the remedy's deadline. Timeline events carry the kinds and
payloads of `services.py`. Multi-row inserts only; idempotent (disputes that already
have executions are skipped). Called once by `demo_populate`;
what each execution is: `fulfilment_plan`."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from aftersales.common.fastinsert import insert_many
from aftersales.demo.fulfilment_plan import Ctx, plan_execution
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.fulfilment.models import Execution
from aftersales.mediation.models import ProposalRevision, ProposalState
from aftersales.parties.roles import Role

KEY_PREFIX = "demo:"
K = Execution.Kind
# Remedy codes of an accepted proposal → what is executed; the rest (coupon, gift,
# apology, guidance…) need no execution record.
KIND_OF_REMEDY = {
    "refund": K.REFUND,
    "price_difference": K.REFUND,
    "return_refund": K.RETURN_REFUND,
    "take_back": K.RETURN_REFUND,
    "exchange": K.EXCHANGE,
    "whole_exchange": K.EXCHANGE,
    "reship": K.RESHIP,
    "repair": K.REPAIR,
    "compensation": K.COMPENSATION,
    "shipping_compensation": K.COMPENSATION,
    "incident_compensation": K.COMPENSATION,
}
UNFINISHED = (Execution.State.PENDING, Execution.State.IN_PROGRESS)


@dataclass
class DemoFulfilment:
    executions: int = 0
    done: int = 0
    unfinished: int = 0
    late: int = 0
    parcels: int = 0
    stale_parcels: int = 0
    events: int = 0


def populate(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoFulfilment:
    from aftersales.followup.daily_checks import parcel_stale_days

    now = now or timezone.now()
    out = DemoFulfilment()
    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[r.value for r in Role])
        .select_related("staff_profile")
    }
    labels = {u.pk: (u.staff_profile.display_name or u.username) for u in users.values()}
    ctx = Ctx(
        random.Random(f"aftersales-demo-fulfilment:{seed}"),
        now,
        labels,
        users.get(Role.FINANCE.value),
        users.get(Role.LOGISTICS.value),
        parcel_stale_days(),
        users[Role.AGENT.value].pk if Role.AGENT.value in users else None,
    )
    has = Execution.objects.filter(dispute=OuterRef("pk"))
    disputes = {
        d.pk: d
        for d in Dispute.objects.filter(intake_key__startswith=KEY_PREFIX)
        .exclude(Exists(has))
        .select_related("order")
        .only(
            "id",
            "number",
            "status",
            "assignee_id",
            "amount_paid",
            "claimed_amount",
            "expectation",
            "order__payment_channel",
        )
    }
    steps: dict[int, list[tuple[str, dt.datetime, str]]] = defaultdict(list)
    for dispute_id, action, at, label in (
        Event.objects.filter(
            dispute__intake_key__startswith=KEY_PREFIX,
            kind=DisputeKind.ACTION,
            action__in=[
                a.value for a in (Action.SETTLE, Action.COMPLETE, Action.WITHDRAW, Action.ESCALATE)
            ],
        )
        .order_by("at", "id")
        .values_list("dispute_id", "action", "at", "actor_label")
    ):
        if dispute_id in disputes:
            steps[dispute_id].append((action, at, label))
    # The revision each settle step accepted (a reopened dispute settles twice).
    agreed = {
        (dispute_id, answered): items
        for dispute_id, answered, items in ProposalRevision.objects.filter(
            proposal__dispute_id__in=list(steps), state=ProposalState.ACCEPTED
        ).values_list("proposal__dispute_id", "answered_at", "remedies")
    }

    plans = []  # (execution, parcels [(parcel, movements)], events-to-be)
    # The demo agent's disputes first, so their daily check shows a late execution and a
    # stale parcel whatever the seed.
    order = sorted(steps, key=lambda i: (disputes[i].assignee_id != ctx.agent_id, i))
    forced = {"late": False, "stale": False}
    for dispute_id in order:
        d = disputes[dispute_id]
        history = steps[dispute_id]
        for i, (action, settled, label) in enumerate(history):
            if action != Action.SETTLE:
                continue
            after = history[i + 1] if i + 1 < len(history) else None
            if after is not None and after[0] == Action.ESCALATE and i + 2 == len(history):
                after = None  # escalated while executing and still out: not done yet
            if after is None and d.status not in (Status.EXECUTING, Status.ESCALATED):
                continue
            for kind, amount, days in _kinds(d, agreed.get((dispute_id, settled))):
                plans.append(
                    plan_execution(ctx, d, kind, amount, days, settled, label, after, forced)
                )

    executions = [p[0] for p in plans]
    with transaction.atomic():
        insert_many(executions)
        parcels = []
        for execution, parcel_rows, _events in plans:
            for parcel, _moves in parcel_rows:
                parcel.execution_id = execution.pk
                parcels.append(parcel)
        insert_many(parcels)
        events = []
        for execution, parcel_rows, make_events in plans:
            events += make_events(execution, parcel_rows)
        insert_many(events)

    out.executions = len(executions)
    out.done = sum(e.state == Execution.State.DONE for e in executions)
    unfinished = [e for e in executions if e.state in UNFINISHED]
    out.unfinished = len(unfinished)
    out.late = sum(e.expected_by < now for e in unfinished)
    out.parcels = len(parcels)
    stale_before = now - dt.timedelta(days=ctx.stale_days)
    out.stale_parcels = sum(
        p.delivered_at is None and p.last_movement_at <= stale_before for p in parcels
    )
    out.events = len(events)
    return out


def _kinds(d: Dispute, items: list[dict] | None) -> list[tuple[str, Decimal | None, int | None]]:
    """(execution kind, amount, deadline days) per line of the agreed remedy; without an
    accepted proposal, the customer's expectation."""
    if items is None:
        items = [{"code": d.expectation, "amount": None, "deadline_days": None}]
    out = []
    for item in items:
        kind = KIND_OF_REMEDY.get(item.get("code") or "")
        if kind is None or any(k == kind for k, _a, _d in out):
            continue
        amount = Decimal(item["amount"]) if item.get("amount") else None
        if amount is None and kind in (K.REFUND, K.RETURN_REFUND):
            amount = d.claimed_amount or d.amount_paid
        out.append((kind, amount, item.get("deadline_days")))
    return out
