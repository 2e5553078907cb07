"""One demo execution planned (`plan_execution`): its dates, state and notes as its
dispute's timeline allows, the parcels it moves and the timeline events
`fulfilment.services` would have written."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from aftersales.common.fastinsert import build
from aftersales.common.money import format_yuan
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import new_event
from aftersales.fulfilment.models import Execution, Parcel
from aftersales.fulfilment.rules import NoArrivalRule, refund_arrival
from aftersales.fulfilment.timeline import FulfilmentKind

K = Execution.Kind
REFUND_KINDS = (K.REFUND, K.COMPENSATION)
DEFAULT_DAYS = {K.RETURN_REFUND: 7, K.EXCHANGE: 7, K.RESHIP: 2, K.REPAIR: 15}
# Which parcels each kind moves, in order.
PARCELS = {
    K.RETURN_REFUND: (Parcel.Direction.FROM_CUSTOMER,),
    K.EXCHANGE: (Parcel.Direction.FROM_CUSTOMER, Parcel.Direction.TO_CUSTOMER),
    K.RESHIP: (Parcel.Direction.TO_CUSTOMER,),
}
CARRIERS = (("顺丰", "SF", 13), ("中通", "78", 12), ("圆通", "YT", 13), ("韵达", "43", 13),
            ("京东物流", "JDVA", 11), ("EMS", "11", 11))  # fmt: skip
CITIES = ("杭州", "广州", "深圳", "上海", "北京", "武汉", "成都", "郑州", "南京", "苏州")
NOTES = {
    K.REFUND: "按调解协议退款，原路退回",
    K.RETURN_REFUND: "顾客寄回商品，仓库签收后退款",
    K.EXCHANGE: "顾客寄回原商品，新品随后寄出",
    K.RESHIP: "补发缺少的商品",
    K.REPAIR: "安排售后网点维修",
    K.COMPENSATION: "按调解协议支付补偿款",
}
DONE_NOTES = {
    K.REFUND: "财务确认退款已到账",
    K.RETURN_REFUND: "退货已签收，退款已到账",
    K.EXCHANGE: "新品已签收",
    K.RESHIP: "补发商品已签收",
    K.REPAIR: "维修完成，顾客签字确认",
    K.COMPENSATION: "补偿款已到账",
}
CANCELLED = {
    Action.WITHDRAW: "顾客撤回投诉，执行取消",
    Action.ESCALATE: "顾客申请外部介入，按外部处理结果另行执行",
}
# Of unfinished executions past their date, the share already done (the refund arrived,
# the parcel was signed for) while the dispute waits for its `complete` step.
DONE_WHEN_DUE = 0.75
STALE_SHARE = 0.2


@dataclass
class Ctx:
    rng: random.Random
    now: dt.datetime
    labels: dict[int, str]
    finance: object
    logistics: object
    stale_days: int
    agent_id: int | None


def plan_execution(ctx: Ctx, d, kind, amount, days, settled, label, after, forced):
    rng, now = ctx.rng, ctx.now
    limit = after[1] if after else now
    recorded = _clip(settled + dt.timedelta(minutes=rng.uniform(5, 90)), settled, limit)
    channel = d.order.payment_channel if d.order_id and kind in REFUND_KINDS else ""
    rule = ""
    try:
        if kind not in REFUND_KINDS:
            raise NoArrivalRule(kind)
        arrival = refund_arrival(channel=channel, paid_at=recorded)
        expected, rule = arrival.expected_by, arrival.rule
    except NoArrivalRule:
        expected = recorded + dt.timedelta(days=days or DEFAULT_DAYS.get(kind, 3))
    execution = build(
        Execution,
        dispute_id=d.pk,
        kind=kind,
        amount=amount,
        payment_channel=channel,
        expected_by=expected,
        expected_rule=rule,
        note=NOTES[kind],
        created_by_id=d.assignee_id,
        created_at=recorded,
        updated_at=recorded,
    )
    # When it ends: done by the complete step, cancelled by a withdrawal; still open
    # while executing or escalated (the customer went to the platform meanwhile), done
    # already for most of those past their date.
    finished: dt.datetime | None = None
    state = Execution.State.PENDING
    agents = d.assignee_id is not None and d.assignee_id == ctx.agent_id
    if after is not None and after[0] == Action.COMPLETE:
        state = Execution.State.DONE
        finished = _clip(after[1] - dt.timedelta(minutes=rng.uniform(5, 120)), recorded, after[1])
    elif after is not None:
        state, finished = Execution.State.CANCELLED, after[1]
    elif expected < now - dt.timedelta(hours=12):
        if agents and not forced["late"] and expected > now - dt.timedelta(days=7):
            forced["late"] = True
        elif agents and not forced["stale"] and kind in PARCELS:
            pass  # its parcel is stuck (below): late too
        elif rng.random() < DONE_WHEN_DUE:
            state = Execution.State.DONE
            finished = _clip(expected - dt.timedelta(hours=rng.uniform(0, 24)), recorded, now)

    parcel_rows = []
    clock = recorded
    quiet = now - dt.timedelta(days=ctx.stale_days, hours=2)
    for direction in PARCELS.get(kind, ()):
        end = finished or now
        shipped = (clock + dt.timedelta(hours=rng.uniform(4, 36))).replace(microsecond=0)
        if agents and not forced["stale"] and state != Execution.State.DONE:
            # The agent's first parcel old enough to have gone quiet ships at once.
            shipped = min(
                shipped, max(clock + dt.timedelta(minutes=40), quiet - dt.timedelta(hours=4))
            )
        done = state == Execution.State.DONE
        if done:
            # Sent, picked up, in transit and signed for before the execution was done.
            span = end - clock
            shipped = clock + span * rng.uniform(0.05, 0.2)
        elif shipped >= end - dt.timedelta(minutes=30):
            break  # not sent yet
        carrier, prefix, digits = rng.choice(CARRIERS)
        tracking = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
        city = rng.choice(CITIES)
        picked = shipped + (
            (end - shipped) * 0.1 if done else dt.timedelta(hours=rng.uniform(0.5, 3))
        )
        moves = [(picked, f"快件已由【{city}】揽收", False)]
        delivered = None
        if not done and picked < quiet and (not forced["stale"] or rng.random() < STALE_SHARE):
            forced["stale"] = True  # no movement since the pick-up: lost or held up
        else:
            if done:
                transit = picked + (end - picked) * 0.3
                arrive = transit + (end - transit) * 0.7
            else:
                transit = picked + dt.timedelta(hours=rng.uniform(6, 20))
                arrive = transit + dt.timedelta(hours=rng.uniform(12, 48))
            if transit < end:
                moves.append((transit, f"快件已到达【{rng.choice(CITIES)}转运中心】", False))
            if arrive < end:
                moves.append((arrive, "快件已签收，签收人：本人", True))
                delivered = arrive
        shipped = shipped.replace(microsecond=0)
        moves = [(at.replace(microsecond=0), text, signed) for at, text, signed in moves]
        delivered = delivered and delivered.replace(microsecond=0)
        moves = [m for m in moves if m[0] <= now]
        parcel = build(
            Parcel,
            direction=direction,
            carrier=carrier,
            tracking_no=tracking,
            shipped_at=shipped,
            last_movement_at=max([shipped, *(m[0] for m in moves)]),
            last_movement=moves[-1][1] if moves else "",
            delivered_at=delivered,
            created_at=min(shipped + dt.timedelta(minutes=30), now),
        )
        parcel_rows.append((parcel, moves))
        if state == Execution.State.PENDING:
            state = Execution.State.IN_PROGRESS
        if delivered is None:
            break  # the next parcel waits for this one
        clock = delivered
        if direction == Parcel.Direction.TO_CUSTOMER and state != Execution.State.DONE:
            # What we sent has been signed for: done, though the dispute is still executing.
            state = Execution.State.DONE
            finished = _clip(delivered + dt.timedelta(hours=rng.uniform(1, 6)), delivered, now)
    execution.state = state
    execution.completed_at = finished if state == Execution.State.DONE else None
    execution.updated_at = max(
        [recorded, finished or recorded, *(p.last_movement_at for p, _m in parcel_rows)]
    )
    actor_label = ctx.labels.get(d.assignee_id) or label

    def make_events(e: Execution, rows) -> list[Event]:
        events = [
            new_event(
                FulfilmentKind.EXECUTION_RECORDED,
                dispute_id=d.pk,
                actor_id=d.assignee_id,
                actor_label=actor_label,
                at=recorded,
                payload={
                    "execution": e.pk,
                    "kind": kind,
                    "amount": format_yuan(amount),
                    "payment_channel": channel,
                    "expected_by": expected.isoformat(),
                    "expected_rule": rule,
                },
                reason=e.note,
            )
        ]
        for parcel, moves in rows:
            by = ctx.logistics
            events.append(
                new_event(
                    FulfilmentKind.PARCEL_RECORDED,
                    dispute_id=d.pk,
                    actor_id=by and by.pk,
                    actor_label=_label(ctx, by),
                    at=parcel.created_at,
                    payload={
                        "execution": e.pk,
                        "parcel": parcel.pk,
                        "direction": parcel.direction,
                        "carrier": parcel.carrier,
                        "tracking_no": parcel.tracking_no,
                        "shipped_at": parcel.shipped_at.isoformat(),
                    },
                )
            )
            for moved, text, done in moves:
                events.append(
                    new_event(
                        FulfilmentKind.PARCEL_MOVED,
                        dispute_id=d.pk,
                        actor_id=by and by.pk,
                        actor_label=_label(ctx, by),
                        at=min(moved + dt.timedelta(minutes=5), now),
                        payload={
                            "parcel": parcel.pk,
                            "tracking_no": parcel.tracking_no,
                            "moved_at": moved.isoformat(),
                            "description": text,
                            "delivered": done,
                        },
                    )
                )
        if e.state == Execution.State.DONE:
            by = ctx.finance if kind in (*REFUND_KINDS, K.RETURN_REFUND) else None
            events.append(
                new_event(
                    FulfilmentKind.EXECUTION_COMPLETED,
                    dispute_id=d.pk,
                    actor_id=by and by.pk,
                    actor_label=_label(ctx, by) if by else actor_label,
                    at=finished,
                    payload={"execution": e.pk, "kind": kind},
                    reason=DONE_NOTES[kind],
                )
            )
        elif e.state == Execution.State.CANCELLED:
            events.append(
                new_event(
                    FulfilmentKind.EXECUTION_CANCELLED,
                    dispute_id=d.pk,
                    actor_id=d.assignee_id,
                    actor_label=actor_label,
                    at=finished,
                    payload={"execution": e.pk, "kind": kind},
                    reason=CANCELLED[Action(after[0])],
                )
            )
        return events

    return execution, parcel_rows, make_events


def _label(ctx: Ctx, user) -> str:
    return ctx.labels.get(user.pk, "system") if user is not None else "system"


def _clip(at: dt.datetime, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    return max(low, min(at, high)).replace(microsecond=0)
