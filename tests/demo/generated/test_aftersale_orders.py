"""`aftersales demo` after-sale orders (售后单, issue 12 item 9): every open demo dispute
whose customer accepted a proposal carries the orders of its agreement, made and moved
by the fulfilment services, in states its timeline allows."""

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from aftersales.demo.fulfilment import CLOSED_DAYS
from aftersales.demo.fulfilment_plan import agreed_lines
from aftersales.disputes.models import Event
from aftersales.followup.daily_checks import daily_checks
from aftersales.fulfilment import flows
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, Payout
from aftersales.fulfilment.timeline import FulfilmentKind
from aftersales.mediation.models import SettlementAgreement

from .conftest import SEED

pytestmark = pytest.mark.django_db

OPEN = [s.value for s in flows.OPEN]


def _state_events() -> dict[int, list[Event]]:
    out = defaultdict(list)
    for e in Event.objects.filter(kind=FulfilmentKind.AFTERSALE_STATE).order_by("at", "id"):
        out[e.payload["aftersale_order"]].append(e)
    return out


def test_orders_in_many_states_through_the_services(demo):
    orders = AfterSaleOrder.objects.all()
    assert orders.count() == demo.summary.aftersale_orders > 20
    states = set(orders.values_list("state", flat=True))
    assert "done" in states
    assert len(states & set(OPEN)) >= 6, states
    types = set(orders.values_list("type", flat=True))
    assert {"return_refund", "exchange", "reship", "compensation"} <= types, types
    # Every state an order went through is on its dispute's timeline, the last one its
    # state now; its first is its creation.
    events = _state_events()
    for order in orders:
        mine = events[order.pk]
        assert mine[0].payload["action"] == "create", order.number
        assert mine[-1].payload["to"] == order.state, order.number
        for before, after in itertools.pairwise(mine):
            assert after.payload["from"] == before.payload["to"], order.number
        assert all(e.dispute_id == order.dispute_id for e in mine)
        assert order.created_at <= order.updated_at <= demo.now


def test_every_open_settled_dispute_carries_its_agreements_orders(demo):
    agreements = SettlementAgreement.objects.select_related("revision", "dispute__order")
    checked = 0
    for a in agreements.filter(dispute__is_open=True):
        wanted = agreed_lines(a.revision.remedies, a.dispute.order)
        made = AfterSaleOrder.objects.filter(agreement_id=a.pk)
        assert sorted(made.values_list("remedy_line", flat=True)) == [x.line for x in wanted]
        for order in made:
            assert order.created_at >= a.revision.answered_at
        checked += bool(wanted)
    assert checked > 15
    # Of the ended disputes, only closed ones (carried out before they closed) have any.
    ended = AfterSaleOrder.objects.filter(dispute__is_open=False)
    assert set(ended.values_list("dispute__status", flat=True)) == {"closed"}


def test_closed_disputes_carry_their_orders_done_between_settle_and_complete(demo):
    since = demo.now - dt.timedelta(days=CLOSED_DAYS)
    events = _state_events()
    closed = SettlementAgreement.objects.filter(
        dispute__status="closed", dispute__closed_at__gte=since
    ).select_related("revision", "dispute__order")
    checked = cancelled = 0
    for a in closed:
        actions = list(
            Event.objects.filter(dispute_id=a.dispute_id, kind="action")
            .exclude(action="settle")
            .filter(at__gt=a.revision.answered_at)
            .order_by("at", "id")
        )
        if not actions or actions[0].action != "complete":
            continue  # closed without carrying this agreement out (escalated, reopened)
        wanted = agreed_lines(a.revision.remedies, a.dispute.order)
        made = AfterSaleOrder.objects.filter(agreement_id=a.pk)
        assert sorted(made.values_list("remedy_line", flat=True)) == [x.line for x in wanted]
        if not wanted:
            continue
        checked += 1
        states = set(made.values_list("state", flat=True))
        assert "done" in states and states <= {"done", "cancelled"}, (a.dispute.number, states)
        for order in made:
            if order.state == "cancelled":
                cancelled += 1
                assert order.cancel_reason, order.number
            for e in events[order.pk]:
                assert a.revision.answered_at <= e.at <= actions[0].at, order.number
        # The replay left the dispute as it was: closed, its history untouched.
        last = Event.objects.filter(dispute_id=a.dispute_id, kind="action").latest("at", "id")
        assert last.action == "close" and not a.dispute.is_open
        assert not Event.objects.filter(
            dispute_id=a.dispute_id, action="complete", payload__by="fulfilment"
        ).exists()
    assert checked > 20
    assert cancelled >= 1
    on_closed = AfterSaleOrder.objects.filter(dispute__status="closed").count()
    assert demo.summary.aftersale_closed == on_closed >= checked


def test_executing_disputes_wait_on_an_open_order_completed_ones_on_none(demo):
    by_status = defaultdict(set)
    for number, status, state in AfterSaleOrder.objects.values_list(
        "dispute__number", "dispute__status", "state"
    ):
        by_status[status, number].add(state)
    executing = [states for (status, _n), states in by_status.items() if status == "executing"]
    assert executing
    for states in executing:
        assert states & set(OPEN), states
    for (status, number), states in by_status.items():
        if status in ("follow_up", "closed", "reopened"):
            assert not states & set(OPEN), (number, status, states)
    # The orders of a completed dispute were done before its complete step.
    for order in AfterSaleOrder.objects.filter(dispute__status="follow_up"):
        completed = Event.objects.filter(
            dispute_id=order.dispute_id, kind="action", action="complete"
        ).latest("at")
        assert order.completed_at is not None and order.completed_at <= completed.at


def test_parcels_follow_their_orders(demo):
    parcels = Parcel.objects.select_related("aftersale_order")
    assert parcels.count() == demo.summary.parcels > 5
    assert set(parcels.values_list("direction", flat=True)) == {"from_customer", "to_customer"}
    for p in parcels:
        assert p.shipped_at >= p.aftersale_order.created_at, p.tracking_no
        assert p.last_movement_at >= p.shipped_at
        assert p.delivered_at is None or p.delivered_at >= p.shipped_at
        assert Event.objects.filter(kind=FulfilmentKind.PARCEL_RECORDED, payload__parcel=p.pk)
    # Some still on their way, some with no movement for days.
    assert parcels.filter(delivered_at__isnull=True, aftersale_order__state__in=OPEN).exists()


def test_payouts_pay_the_agreed_amounts(demo):
    paid = AfterSaleOrder.objects.filter(payouts__isnull=False).distinct()
    assert paid.count() > 5
    for order in paid:
        live = order.payouts.filter(state="paid", direction="to_customer")
        total = live.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        assert total == order.paid_amount, order.number
        if order.state == "done" and flows.pays_out(order.type, order.compensation_form):
            assert order.paid_amount == order.amount, order.number
    # One refund bounced: back with finance, its payout marked with why, nothing paid.
    bounced = Payout.objects.filter(state="bounced").select_related("aftersale_order")
    assert bounced.exists()
    for payout in bounced:
        assert payout.bounce_reason
        assert payout.aftersale_order.state in OPEN
    assert not AfterSaleOrder.objects.filter(state="awaiting_payout", paid_amount__gt=0)


def test_late_orders_stale_parcels_and_missing_insurance(demo):
    now = demo.now
    assert AfterSaleOrder.objects.filter(state__in=OPEN, expected_by__lt=now).exists()
    insured = AfterSaleOrder.objects.filter(insurance_expected_by__isnull=False)
    assert insured.filter(insurance_paid_at__isnull=False).exists()
    assert insured.filter(insurance_paid_at__isnull=True, insurance_expected_by__lt=now).exists()
    # The morning's daily checks list them: the demo agent's a stale return parcel; the
    # late orders whoever holds them (an order is late only past the date its agreement
    # set, which the demo does not choose).
    agent = get_user_model().objects.filter(username="agent")
    (check,) = daily_checks(now=timezone.now(), agents=agent)
    assert check.stale_parcels
    assert any(c.late_executions for c in daily_checks(now=timezone.now()))


def test_running_it_again_adds_nothing(demo):
    from aftersales.demo.fulfilment import populate

    before = AfterSaleOrder.objects.count(), Event.objects.count()
    out = populate(seed=SEED, now=demo.now)
    assert (AfterSaleOrder.objects.count(), Event.objects.count()) == before
    assert out.orders == before[0]
