"""One agent's morning, with one item of every kind that should be listed and one next
to it that should not. Times are relative to the real clock, because the API, the CLI
and the worker read it."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment.services import execution_complete, parcel_record, parcel_track
from aftersales.mediation.services import commitment_keep
from aftersales.parties.actors import SYSTEM
from tests.factories import make_commitment, make_execution, make_held_dispute

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)


@dataclass
class Morning:
    now: dt.datetime
    stale_parcel: Dispute  # return shipped 5 days ago, not a scan since
    moving_parcel: Dispute  # shipped 5 days ago, scanned yesterday
    late_refund: Dispute  # bank quick-pay refund recorded 5 days ago (due 2 days ago)
    overdue_promise: Dispute  # promised for yesterday, not kept
    today_promise: Dispute  # due later today
    untouched: Dispute  # taken in 3 days ago, nothing since
    busy: Dispute  # taken in 3 days ago, a note an hour ago, only SLA events since


def end_of_today(now: dt.datetime) -> dt.datetime:
    tomorrow = now.astimezone(SH).date() + DAY
    return dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=SH)


def build_morning(agent) -> Morning:
    now = timezone.now()
    long_ago = now - 6 * DAY

    def held(hours_ago: float = 1) -> Dispute:
        # Taken in long ago, but touched `hours_ago` (a note), so only what the test
        # adds makes it listed.
        d = make_held_dispute(agent, received_at=long_ago)
        Event.objects.create(
            dispute=d, kind="note", actor=agent, at=now - dt.timedelta(hours=hours_ago)
        )
        return d

    stale = held()
    ret = make_execution(stale, kind="return_refund", at=now - 6 * DAY, expected_by=now + 5 * DAY)
    parcel_record(
        execution=ret,
        direction="from_customer",
        carrier="顺丰速运",
        tracking_no="SF0001",
        actor=agent,
        shipped_at=now - 5 * DAY,
    )

    moving = held()
    ex = make_execution(moving, kind="exchange", at=now - 6 * DAY, expected_by=now + 5 * DAY)
    p = parcel_record(
        execution=ex,
        direction="to_customer",
        carrier="中通快递",
        tracking_no="ZT0002",
        actor=agent,
        shipped_at=now - 5 * DAY,
    )
    parcel_track(parcel=p, at=now - DAY, actor=SYSTEM, description="运输中")
    # Delivered long ago: not in transit, however quiet.
    delivered = make_execution(moving, kind="reship", at=now - 6 * DAY, expected_by=now + DAY)
    q = parcel_record(
        execution=delivered,
        direction="to_customer",
        carrier="圆通",
        tracking_no="YT0003",
        actor=agent,
        shipped_at=now - 6 * DAY,
    )
    parcel_track(parcel=q, at=now - 5 * DAY, actor=SYSTEM, delivered=True)

    late = held()
    make_execution(late, kind="refund", at=now - 5 * DAY)  # bank quick-pay: 3 days
    on_time = make_execution(late, kind="refund", at=now - DAY)  # due in 2 days
    done_late = make_execution(late, kind="refund", at=now - 5 * DAY)
    execution_complete(execution=done_late, actor=agent, at=now - DAY)
    assert on_time.expected_by > now

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
        overdue_promise=overdue,
        today_promise=today,
        untouched=untouched,
        busy=busy,
    )


@pytest.fixture
def morning(agent):
    return build_morning(agent)
