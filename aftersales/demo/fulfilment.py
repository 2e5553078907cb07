"""Demo after-sale orders (售后单) for `aftersales demo` (SPEC §7, issue 12 item 9): every
open demo dispute whose customer accepted a proposal gets the after-sale orders of its
agreement, made by `aftersale_orders_from_agreement` a few minutes after the acceptance,
and each order is carried through the real services (`fulfilment_plan.move`, walked by
`fulfilment_walk.walk`) at the times its dispute's timeline allows:

- settled and later completed (回访, a reopened dispute's first agreement): every order
  done before the `complete` step;
- still executing: orders in every open state (待财审 … 维修中), some done, one bounced
  refund back with finance, a few past their expected date and a few return parcels
  with no movement for days; at least one order of each stays open, or finishing it
  would complete the dispute. One return parcel is the demo agent's, stale (the daily
  check's item): on the first of their executing disputes with a return old enough,
  else on such a dispute of their team, which the team lead then hands to them (as
  `dispute_assign` records it: its `assigned` event and version step, at a moment
  after the dispute's last event, which the service, writing at the clock's time,
  cannot set);
- escalated after settling: carried part of the way;
- one return whose inspection failed: the order failed and the dispute went back to
  mediation (`renegotiate`, by fulfilment itself);
- closed after executing (settle → complete → follow-up → close) in the last
  CLOSED_DAYS days: every order done (a few cancelled with a reason), between the settle
  and the complete steps. Older closed disputes are left without (the services' moves
  cost ~45 ms an order; all of them would take `aftersales demo` well past a minute).

The services refuse to move an order of an ended dispute (`dispute_closed`), and rightly.
But the demo's histories are a replay: `intake.bulk.bulk_intake` writes each dispute's
lifecycle events in bulk and sets its final status directly. The orders of a closed
dispute belong inside that replay, so the demo puts the dispute row briefly back to
follow-up — the status under which the demo's open completed disputes get theirs, the
history's `complete` step already written (at `executing` the services would complete it
a second time) — makes and walks the orders through the services at their times, then
restores the row as the replay left it (`_replayed`). Rejected, withdrawn and escalated
disputes, and those closed without executing, get none.
Deterministic by seed; idempotent (agreements that have orders are skipped)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from aftersales.common.errors import Conflict, ValidationFailed
from aftersales.demo.fulfilment_plan import (
    Cast,
    agreed_lines,
    forward_path,
    states_along,
)
from aftersales.demo.fulfilment_walk import walk
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.permissions import can_assign, can_be_assigned
from aftersales.disputes.timeline import DisputeKind, actor_label, assigned_event, placement
from aftersales.fulfilment import flows
from aftersales.fulfilment.aftersale_orders import aftersale_orders_from_agreement
from aftersales.fulfilment.flows import State
from aftersales.fulfilment.models import AfterSaleOrder, Parcel
from aftersales.mediation.models import SettlementAgreement
from aftersales.parties.models import Order
from aftersales.parties.roles import Role
from aftersales.sla.timers import timers_on_events

KEY_PREFIX = "demo:"
CANCEL_ONE_IN = 25  # of the other orders of executing disputes
CLOSED_CANCEL_SHARE = 0.12  # of the other orders of closed disputes
# Closed disputes carry their orders when closed in the last CLOSED_DAYS days.
CLOSED_DAYS = 30
INSURED_SHARE = 0.7  # of the orders with a return: bought with 运费险
BOUNCES = ("money", "return_refund")  # flows whose payout can come back after done


@dataclass
class DemoFulfilment:
    orders: int = 0
    done: int = 0
    open: int = 0
    cancelled: int = 0
    late: int = 0
    bounced: int = 0
    parcels: int = 0
    stale_parcels: int = 0
    payouts: int = 0
    refused: int = 0  # agreements whose orders the services refused (money rules)
    closed: int = 0  # orders of closed disputes (settled, completed, closed)
    skipped_ended: int = 0  # agreements of ended disputes that never completed them


def populate(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoFulfilment:
    from aftersales.followup.daily_checks import parcel_stale_days

    now = (now or timezone.now()).replace(microsecond=0)
    out = DemoFulfilment()
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[r.value for r in Role])
    }
    rng = random.Random(f"aftersales-demo-fulfilment:{seed}")
    cast = Cast(users, rng, parcel_stale_days())
    has = AfterSaleOrder.objects.filter(agreement_id=OuterRef("pk"))
    agreements = (
        SettlementAgreement.objects.filter(dispute__intake_key__startswith=KEY_PREFIX)
        .exclude(Exists(has))
        .select_related(
            "revision",
            "dispute",
            "dispute__customer",
            "dispute__order",
            "dispute__assignee",
            "dispute__team",
        )
        .order_by("id")
    )
    agreements = list(agreements)
    live = [a for a in agreements if a.dispute.is_open]
    closed = [a for a in agreements if a.dispute.status == Status.CLOSED]
    steps = defaultdict(list)
    for dispute_id, action, at in (
        Event.objects.filter(
            dispute_id__in={a.dispute_id for a in live + closed},
            kind=DisputeKind.ACTION,
        )
        .exclude(action=Action.SETTLE)
        .order_by("at", "id")
        .values_list("dispute_id", "action", "at")
    ):
        steps[dispute_id].append((action, at))
    agent = users.get(Role.AGENT.value)
    # The demo agent's disputes first, so their daily check has a stale parcel.
    live.sort(key=lambda a: (agent is None or a.dispute.assignee_id != agent.pk, a.pk))
    # flow → a counter spreading the open orders along it; "shown": the open states
    # some order already waits in.
    stops: dict = defaultdict(itertools.count)
    stops["shown"] = set()
    forced = {
        "stale": agent is None,
        "bounce": False,
        "insurance": False,
        "fail": False,
        "insured_paid": False,
        "cancelled": False,  # a closed dispute's order, cancelled on the way
    }
    # Closed disputes whose agreement was carried out: its next step was `complete`.
    since = now - dt.timedelta(days=CLOSED_DAYS)
    closed = [
        a
        for a in closed
        if _next_step(a, steps) == Action.COMPLETE and a.dispute.closed_at >= since
    ]
    out.skipped_ended = len(agreements) - len(live) - len(closed)
    for agreement in live + closed:
        d = agreement.dispute
        if not d.is_open:
            forced["insurance"] = True  # the overdue 运费险 is an open dispute's
            with _replayed(d):
                _carry_out(out, cast, users, agreement, steps, stops, forced, agent, now, True)
            continue
        _carry_out(out, cast, users, agreement, steps, stops, forced, agent, now, False)
    _tally(out, now, cast)
    return out


def _next_step(agreement, steps) -> Action | None:
    """The dispute's first lifecycle step after the customer accepted the agreement."""
    settled = agreement.revision.answered_at or agreement.customer_confirmed_at
    return next((a for a, at in steps[agreement.dispute_id] if at > settled), None)


@contextmanager
def _replayed(dispute):
    """The closed dispute's row briefly at follow-up, inside the history's replay (see
    the module's docstring); restored as the replay left it, whatever happens."""
    with transaction.atomic():
        row = Dispute.objects.filter(pk=dispute.pk)
        kept = row.values().get()
        kept.pop("id")
        row.update(status=Status.FOLLOW_UP, is_open=True, closed_at=None)
        dispute.status, dispute.is_open = Status.FOLLOW_UP, True
        try:
            yield
        finally:
            row.update(**kept)
            dispute.status, dispute.is_open = kept["status"], kept["is_open"]
        # The close, as the SLA heard it: the clocks the orders started and no step
        # stopped before it (the insurer's 运费险 payout) end with the dispute.
        close = Event.objects.filter(dispute_id=dispute.pk, kind=DisputeKind.ACTION).latest(
            "at", "id"
        )
        timers_on_events(dispute, [close])


def _carry_out(out, cast, users, agreement, steps, stops, forced, agent, now, ended) -> None:
    """Make the agreement's orders a few minutes after the acceptance and walk each as
    far as its dispute's timeline allows."""
    rng = cast.rng
    d = agreement.dispute
    settled = agreement.revision.answered_at or agreement.customer_confirmed_at
    after = next(((a, at) for a, at in steps[d.pk] if at > settled), None)
    until = after[1] if after else now
    created = _at(settled, until, rng.uniform(3, 30) * 60, 0.1)
    lines = agreed_lines(agreement.revision.remedies, d.order)
    if not lines:
        return
    if d.order_id and any(line.type == "return_refund" for line in lines):
        # Bought with 运费险 or not: the platform's order says (most are).
        insured = rng.random() < INSURED_SHARE
        Order.objects.filter(pk=d.order_id).update(return_shipping_insurance=insured)
    handler = users.get("team_lead") if d.assignee_id is None else d.assignee
    try:
        orders = aftersale_orders_from_agreement(
            dispute=d, agreement_id=agreement.pk, lines=lines, actor=handler, at=created
        )
    except (ValidationFailed, Conflict):
        out.refused += 1
        return
    spare = None  # the order whose return parcel is the demo agent's stale one
    if after is not None and after[0] == Action.COMPLETE:
        plans = [(o, len(forward_path(o)), "") for o in orders]
        # Never when the dispute was reopened after: its next proposal was judged with
        # this agreement carried out (a cancelled refund would leave that one short).
        reopened = any(a == Action.REOPEN and at > settled for a, at in steps[d.pk])
        if ended and not reopened:
            plans = _cancel_a_few(rng, plans, forced)
        end = until - dt.timedelta(minutes=5)
    else:
        executing = d.status == Status.EXECUTING and after is None
        if executing and not forced["stale"] and _agents(d, agent, users):
            spare = next(
                (i for i, o in enumerate(orders) if _goes_stale(cast, o, created, now)), None
            )
            forced["stale"] = spare is not None
        plans = _spread(rng, orders, stops, forced, executing=executing, spare=spare)
        end = until - dt.timedelta(minutes=5) if after else now
    # A closed dispute's replay ends at its close: nothing recorded after it.
    until_now = d.closed_at if ended else now
    for i, (order, stop, extra) in enumerate(plans):
        done = walk(
            cast, order, stop, extra, handler, created, end, until_now, forced, stale=i == spare
        )
        forced["cancelled"] |= done and ended
    if spare is not None and d.assignee_id != agent.pk:
        _hand_over(d, users.get(Role.TEAM_LEAD.value), agent, now)


def _cancel_a_few(rng, plans, forced):
    """A closed dispute's orders all done, but now and then one of two or more was
    cancelled part of the way (the customer changed their mind); never the last. Until
    one was (`walk` says so: a gift the carrier's scan delivered cannot be), every one
    it can be."""
    out = []
    for i, (order, stop, extra) in enumerate(plans):
        # Not an exchange the customer paid a difference for: its cancelling makes a
        # refund of the difference, which a closed dispute would have waited for.
        if i < len(plans) - 1 and stop > 1 and not order.customer_pays:
            if not forced["cancelled"] or rng.random() < CLOSED_CANCEL_SHARE:
                stop, extra = rng.randrange(1, stop), "cancel"
        out.append((order, stop, extra))
    return out


def _spread(rng, orders, stops, forced, *, executing: bool, spare: int | None = None):
    """How far each order of a dispute still being carried out goes: one stays open
    (else the dispute would be complete); the others are done, cancelled or open. The
    first refund of a dispute with two orders or more is paid and bounces. The `spare`
    order is the stale return: it stays open just after its return parcel shipped."""
    keep = len(orders) - 1 if spare is None else spare
    bounce = None
    if executing and not forced["bounce"] and len(orders) > 1:
        bounce = next((i for i, o in enumerate(orders) if _flow(o) in BOUNCES and i != spare), None)
        if bounce is not None:
            forced["bounce"] = True
            keep = 0 if bounce == keep else keep
    fail = None
    if executing and not forced["fail"] and len(orders) == 1 and bounce is None and spare is None:
        if flows.Action.INSPECT in forward_path(orders[0]):
            forced["fail"], fail = True, 0
    plans = []
    for i, order in enumerate(orders):
        path = forward_path(order)
        # Open: first where no order of the demo waits yet, so every open state shows.
        along = states_along(order)[: len(path)]
        unseen = [k for k, state in enumerate(along) if state not in stops["shown"]]
        stop = unseen[0] if unseen else next(stops[_flow(order)]) % max(len(path), 1)
        extra = ""
        if i == spare:
            stop = path.index(flows.Action.RETURN_SHIP) + 1
        elif i == bounce:
            stop, extra = len(path), "bounce"
        elif i == fail:
            extra = "fail"
        elif i != keep and executing:
            if rng.random() < 1 / CANCEL_ONE_IN:
                extra = "cancel"
            elif rng.random() < 0.4:
                stop = len(path)
        elif not executing and rng.random() < 0.5:
            stop = len(path)
        if stop < len(path) and not extra:
            stops["shown"].add(along[stop])
        plans.append((order, stop, extra))
    return plans


def _agents(dispute, agent, users) -> bool:
    """Whether `dispute` is the demo agent's, or one the team lead may hand to them."""
    if agent is None:
        return False
    if dispute.assignee_id == agent.pk:
        return True
    lead = users.get(Role.TEAM_LEAD.value)
    return lead is not None and can_assign(lead, dispute) and can_be_assigned(agent, dispute.team)


def _goes_stale(cast: Cast, order: AfterSaleOrder, created: dt.datetime, now) -> bool:
    """A return made long enough ago for its parcel to have been quiet for the daily
    check's days, with a day to spare (fulfilment_walk.walk)."""
    return (
        flows.Action.RETURN_SHIP in forward_path(order)
        and (now - created).days > cast.stale_days + 1
    )


def _hand_over(dispute, lead, agent, now: dt.datetime) -> None:
    """The team lead hands `dispute` to the demo agent, as `dispute_assign` records it
    (its `assigned` event, its version step), half-way from its last event to now."""
    last = Event.objects.filter(dispute_id=dispute.pk).latest("at", "id").at
    at = (last + (now - last) / 2).replace(microsecond=0)
    assigned_event(
        dispute,
        actor=lead,
        actor_label=actor_label(lead),
        before=placement(dispute.team, dispute.assignee),
        after=placement(dispute.team, agent),
        at=max(at, last),
    ).save()
    Dispute.objects.filter(pk=dispute.pk).update(assignee=agent, version=F("version") + 1)
    dispute.assignee = agent


def _flow(order: AfterSaleOrder) -> str:
    return flows.flow_code(order.type, order.variant, order.compensation_form)


def _at(start: dt.datetime, end: dt.datetime, seconds: float, share: float) -> dt.datetime:
    """`seconds` after `start`, or `share` of the way to `end` when that is sooner."""
    return min(start + dt.timedelta(seconds=seconds), start + (end - start) * share).replace(
        microsecond=0
    )


def _tally(out: DemoFulfilment, now: dt.datetime, cast: Cast) -> None:
    orders = AfterSaleOrder.objects.filter(dispute__intake_key__startswith=KEY_PREFIX)
    open_states = [s.value for s in flows.OPEN]
    out.orders = orders.count()
    out.done = orders.filter(state=State.DONE).count()
    out.cancelled = orders.filter(state=State.CANCELLED).count()
    out.open = orders.filter(state__in=open_states).count()
    out.closed = orders.filter(dispute__status=Status.CLOSED).count()
    out.late = orders.filter(state__in=open_states, expected_by__lt=now).count()
    out.bounced = (
        Event.objects.filter(kind="aftersale_state", payload__action="bounce")
        .filter(dispute__intake_key__startswith=KEY_PREFIX)
        .count()
    )
    parcels = Parcel.objects.filter(aftersale_order__in=orders)
    out.parcels = parcels.count()
    out.stale_parcels = parcels.filter(
        delivered_at__isnull=True,
        last_movement_at__lte=now - dt.timedelta(days=cast.stale_days),
        aftersale_order__state__in=open_states,
    ).count()
    out.payouts = cast.made.get("payouts", 0)
