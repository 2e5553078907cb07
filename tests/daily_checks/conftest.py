"""One agent's morning, with one item of every kind that should be listed and one next
to it that should not. The after-sale orders (售后单) come from accepted proposals and
are moved by the real services, at the times the story needs. Times are relative to the
real clock, because the API, the CLI and the worker read it."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment import goods, payouts
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.parcels import parcel_track
from aftersales.mediation import agreement, proposals
from aftersales.mediation.services import commitment_keep
from aftersales.parties.actors import SYSTEM
from tests.factories import (
    RETURN_ADDRESS,
    OrderFactory,
    carry_to,
    make_commitment,
    make_held_dispute,
    walk_to,
)

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)


@dataclass
class Morning:
    now: dt.datetime
    stale_parcel: Dispute  # return shipped 5 days ago, not a scan since
    moving_parcel: Dispute  # return shipped 5 days ago, scanned yesterday
    late_refund: Dispute  # a refund agreed 5 days ago within 3 days, not paid
    unconfirmed_refund: Dispute  # paid 5 days ago by Alipay (3 days), not confirmed
    unshipped_exchange: Dispute  # return inspected 4 days ago, replacement not sent
    insurance_missing: Dispute  # 运费险 due 72 hours after a refund 5 days ago
    overdue_promise: Dispute  # promised for yesterday, not kept
    today_promise: Dispute  # due later today
    untouched: Dispute  # taken in 3 days ago, nothing since
    busy: Dispute  # taken in 3 days ago, a note an hour ago, only SLA events since


def end_of_today(now: dt.datetime) -> dt.datetime:
    tomorrow = now.astimezone(SH).date() + DAY
    return dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=SH)


def orders(dispute) -> list[AfterSaleOrder]:
    return list(AfterSaleOrder.objects.filter(dispute=dispute).order_by("remedy_line"))


def build_morning(agent) -> Morning:
    now = timezone.now()
    long_ago = now - 8 * DAY

    def held(hours_ago: float = 1, order=None) -> Dispute:
        # Taken in long ago, but touched `hours_ago` (a note), so only what the test
        # adds makes it listed.
        d = make_held_dispute(agent, received_at=long_ago, order=order)
        Event.objects.create(
            dispute=d, kind="note", actor=agent, at=now - dt.timedelta(hours=hours_ago)
        )
        return d

    def settled(remedies=None, *, at: dt.datetime, order=None) -> Dispute:
        """A held dispute whose proposal (`remedies`; else a full return) the customer
        accepted at `at`: its after-sale orders made."""
        d = walk_to(held(order=order), "investigating", at=at)
        if remedies is not None:
            proposals.proposal_create(dispute=d, actor=SYSTEM, remedies_raw=remedies, at=at)
        return walk_to(d, "executing", at=at)

    def return_shipped(order, tracking_no: str, *, at: dt.datetime) -> None:
        goods.return_address_send(order=order, actor=SYSTEM, address=RETURN_ADDRESS, at=at)
        goods.return_ship(
            order=order, carrier="顺丰速运", tracking_no=tracking_no, actor=SYSTEM, at=at
        )

    # A return sent 5 days ago with no scan since; next to it one scanned yesterday.
    stale = settled(at=now - 6 * DAY)
    (ret,) = orders(stale)
    return_shipped(ret, "SF0001", at=now - 5 * DAY)

    moving = settled([{"code": "exchange"}, {"code": "reship"}], at=now - 6 * DAY)
    exchange, reship = orders(moving)
    return_shipped(exchange, "ZT0002", at=now - 5 * DAY)
    parcel_track(parcel=exchange.parcels.get(), at=now - DAY, actor=SYSTEM, description="运输中")
    # Delivered long ago: not in transit, however quiet.
    goods.shipment_send(
        order=reship, carrier="圆通", tracking_no="YT0003", actor=SYSTEM, at=now - 6 * DAY
    )
    parcel_track(parcel=reship.parcels.get(), at=now - 5 * DAY, actor=SYSTEM, delivered=True)

    # A refund agreed within 3 days, 5 days ago, still waiting for finance; next to it
    # one agreed yesterday (due in 2 days).
    late = settled([{"code": "refund", "amount": "199.00", "deadline_days": 3}], at=now - 5 * DAY)
    on_time = settled([{"code": "refund", "amount": "199.00", "deadline_days": 3}], at=now - DAY)
    assert orders(on_time)[0].expected_by > now

    # Money paid by Alipay 5 days ago (3 days at most): the refund is not confirmed
    # arrived, the compensation next to it is.
    paid = settled(
        [
            {"code": "refund", "amount": "88.00"},
            {"code": "compensation", "amount": "20.00"},
        ],
        at=now - 6 * DAY,
    )
    refund, compensation = orders(paid)
    carry_to(refund, "done", at=now - 5 * DAY)
    carry_to(compensation, "done", at=now - 5 * DAY)
    payouts.arrival_confirm(order=compensation, actor=SYSTEM, at=now - 2 * DAY)

    # An exchange whose return passed inspection 4 days ago; the replacement waits.
    waiting = settled([{"code": "exchange"}], at=now - 6 * DAY)
    (swap,) = orders(waiting)
    carry_to(swap, "awaiting_shipment", at=now - 4 * DAY)

    # A return bought with 运费险, refunded 5 days ago: the insurer owed it 2 days ago.
    insured = settled(at=now - 7 * DAY, order=OrderFactory(return_shipping_insurance=True))
    (covered,) = orders(insured)
    carry_to(covered, "done", at=now - 5 * DAY)
    payouts.arrival_confirm(order=covered, actor=SYSTEM, at=now - 4 * DAY)

    overdue = held()
    make_commitment(overdue, due_at=now - DAY, at=now - 2 * DAY, text="昨天下午回电")
    kept = make_commitment(overdue, due_at=now - DAY, at=now - 2 * DAY, text="寄质检报告")
    commitment_keep(commitment=kept, actor=agent, at=now - DAY)

    today = held()
    later_today = now + (end_of_today(now) - now) / 2
    make_commitment(today, due_at=later_today, at=now - DAY, text="今天内确认退款到账")
    make_commitment(today, due_at=end_of_today(now) + DAY, at=now - DAY, text="后天上门")

    untouched = make_held_dispute(agent, received_at=now - 3 * DAY)
    busy = held(hours_ago=1)
    Event.objects.create(dispute=untouched, kind="sla_breached", actor_label="system", at=now)
    return Morning(
        now=now,
        stale_parcel=stale,
        moving_parcel=moving,
        late_refund=late,
        unconfirmed_refund=paid,
        unshipped_exchange=waiting,
        insurance_missing=insured,
        overdue_promise=overdue,
        today_promise=today,
        untouched=untouched,
        busy=busy,
    )


@pytest.fixture(autouse=True)
def quick_agreements(monkeypatch):
    """The settlement agreement's PDF is the agreement tests' business: drawn here it
    would take seconds for each of the morning's seven acceptances."""
    monkeypatch.setattr(agreement, "render_pdf", lambda data: b"%PDF-1.4 (not drawn)")


@pytest.fixture
def morning(agent):
    return build_morning(agent)
