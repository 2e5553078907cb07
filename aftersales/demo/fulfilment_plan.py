"""How the demo carries out one after-sale order (售后单): the lines of an accepted
revision as mediation maps them on acceptance (`mediation.execution_lines`), the forward
moves its flow allows (`flows.decide`: inspections pass, repairs fix), and each move made
through the service that owns it, by whoever's job it is: finance approves and pays,
logistics receives and ships, quality control inspects and repairs, the customer fills
in the return's tracking number, the handler sends the return address. Parcels move with
real carriers and tracking numbers (`parcels.parcel_track`)."""

from __future__ import annotations

import datetime as dt
import inspect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aftersales.fulfilment import flows, goods, insurance, payouts, repairs
from aftersales.fulfilment.aftersale_orders import AgreedLine, aftersale_cancel, aftersale_step
from aftersales.fulfilment.flows import Action, State
from aftersales.fulfilment.models import AfterSaleOrder, Parcel
from aftersales.fulfilment.parcels import parcel_track
from aftersales.fulfilment.steps import may_step
from aftersales.mediation import execution_lines
from aftersales.mediation.remedies import RemedyItem
from aftersales.parties.actors import customer_actor
from aftersales.parties.roles import Role

# The moves that go back or give up, never on the way forward.
BACKWARD = frozenset({Action.CANCEL, Action.BOUNCE, Action.OUT_OF_STOCK})
CARRIERS = (("顺丰", "SF", 13), ("中通", "78", 12), ("圆通", "YT", 13), ("韵达", "43", 13),
            ("京东物流", "JDVA", 11), ("EMS", "11", 11))  # fmt: skip
CITIES = ("杭州", "广州", "深圳", "上海", "北京", "武汉", "成都", "郑州", "南京", "苏州")
RETURN_ADDRESS = "浙江省杭州市余杭区文一西路 969 号 售后服务中心（收）0571-88886666"
BOUNCE_REASONS = ("收款银行卡已注销，退款被银行退回", "收款账户信息有误，银行退票")
INSPECTION_REPORT = "外包装完好，商品与订单一致，配件齐全，验货通过"
FAILED_INSPECTION = "退回商品有明显使用痕迹和人为磕碰，配件缺少充电器，不符合退货条件"
TECHNICIANS = ("售后网点 李师傅", "售后网点 王师傅", "厂家维修站 周工")
FAULTS = (("开机无反应", ["电源板"]), ("充电接触不良", ["充电接口"]), ("屏幕闪烁", ["排线"]))


def agreed_lines(remedies: list[dict], order) -> list[AgreedLine]:
    """The lines of an accepted revision fulfilment carries out, as mediation maps them
    when the customer accepts (`mediation.execution_lines`)."""
    items = [RemedyItem.from_dict(x) for x in remedies]
    return execution_lines.agreed_lines(items, shipped=execution_lines.has_shipped(order))


def forward_path(order: AfterSaleOrder) -> list[Action]:
    """The moves that carry `order` from its state to done, every outcome good."""
    return [action for action, _state in _forward(order)]


def states_along(order: AfterSaleOrder) -> list[State]:
    """The states `order` passes through on its forward path, its own first."""
    return [State(order.state)] + [state for _action, state in _forward(order)]


def _forward(order: AfterSaleOrder) -> list[tuple[Action, State]]:
    path: list[tuple[Action, State]] = []
    state = State(order.state)
    while state not in flows.FINAL and len(path) < 12:
        options = [
            a
            for a in flows.allowed(order.type, order.variant, order.compensation_form, state)
            if a not in BACKWARD
        ]
        if not options:
            break
        action = options[0]
        move = flows.decide(
            order.type,
            order.variant,
            order.compensation_form,
            state,
            action,
            outcome=True,
            facts={"return_moving": True},
        )
        state = move.target
        path.append((action, state))
    return path


# The department whose state each move leaves (DEPARTMENT_OF_STATE), by its role. (A
# bounce comes after the order is done, when finance may no longer see the dispute: asked.)
ROLE_OF_ACTION = {
    Action.FINANCE_APPROVE: Role.FINANCE,
    Action.RECORD_PAYOUT: Role.FINANCE,
    Action.COLLECT_PAYMENT: Role.FINANCE,
    Action.RECEIVE: Role.LOGISTICS,
    Action.SHIP: Role.LOGISTICS,
    Action.INSPECT: Role.QUALITY_CONTROL,
    Action.START_REPAIR: Role.QUALITY_CONTROL,
    Action.RECORD_REPAIR: Role.QUALITY_CONTROL,
}


@dataclass
class Cast:
    """Who does what in the demo: the staff users by role and the dispute's handler."""

    users: dict[str, Any]
    rng: random.Random
    stale_days: int
    made: dict[str, int] = field(default_factory=dict)

    def actor(self, order: AfterSaleOrder, action: Action, handler):
        """The customer fills in the return's tracking number; a department acts on the
        states it owns (its task lets it see the dispute: no need to ask); the rest is
        the handler's, or the team lead's, or the administrator's."""
        if action == Action.RETURN_SHIP:
            return customer_actor(order.dispute.customer)
        role = ROLE_OF_ACTION.get(action)
        if role is not None and role.value in self.users:
            return self.users[role.value]
        candidates = (handler, self.users.get(Role.TEAM_LEAD.value))
        if action == Action.BOUNCE:
            candidates = (self.users.get(Role.FINANCE.value),)
        for who in candidates:
            if who is not None and may_step(who, order, action):
                return who
        return self.users[Role.ADMIN.value]

    def count(self, what: str, n: int = 1) -> None:
        self.made[what] = self.made.get(what, 0) + n


def _call(fn: Callable, **kwargs):
    """Call a service with the keywords it takes."""
    params = inspect.signature(fn).parameters
    return fn(**{k: v for k, v in kwargs.items() if k in params})


def tracking_number(rng: random.Random) -> tuple[str, str]:
    carrier, prefix, digits = rng.choice(CARRIERS)
    return carrier, prefix + "".join(rng.choice("0123456789") for _ in range(digits))


def move(
    cast: Cast,
    order: AfterSaleOrder,
    action: Action,
    *,
    handler,
    at: dt.datetime,
    reason: str = "",
    outcome: bool = True,
) -> AfterSaleOrder:
    """One move of `order` at `at`, through the service that owns it, by the person
    whose job it is (`outcome`: whether the inspection passed). Returns the order as it
    now is."""
    actor = cast.actor(order, action, handler)
    rng = cast.rng
    if action in (Action.FINANCE_APPROVE, Action.START_REPAIR):
        return aftersale_step(order=order, action=action, actor=actor, at=at)
    if action == Action.CONFIRM_DELIVERY:
        return goods.delivery_confirm(order=order, actor=actor, at=at)
    if action == Action.CANCEL:
        return aftersale_cancel(order=order, actor=actor, reason=reason, at=at)
    if action == Action.BOUNCE:
        return payouts.payout_bounce(order=order, actor=actor, reason=reason, at=at)
    if action in (Action.RECORD_PAYOUT, Action.COLLECT_PAYMENT):
        cast.count("payouts")
        reference = f"TK{at:%Y%m%d}{rng.randrange(10**8):08d}"
        key = f"demo:{order.number}:{reference}"
        if action == Action.COLLECT_PAYMENT:
            payouts.customer_payment_record(
                order=order,
                amount=order.customer_pays,
                reference=reference,
                idempotency_key=key,
                actor=actor,
                at=at,
            )
        else:
            payouts.payout_record(
                order=order, reference=reference, idempotency_key=key, actor=actor, at=at
            )
        return AfterSaleOrder.objects.get(pk=order.pk)
    if action in (Action.RETURN_SHIP, Action.SHIP):
        carrier, tracking_no = tracking_number(rng)
        cast.count("parcels")
        ship = goods.return_ship if action == Action.RETURN_SHIP else goods.shipment_send
        return ship(order=order, actor=actor, carrier=carrier, tracking_no=tracking_no, at=at)
    if action == Action.SEND_RETURN_ADDRESS:
        return goods.return_address_send(order=order, actor=actor, address=RETURN_ADDRESS, at=at)
    if action == Action.RECEIVE:
        return goods.return_receive(order=order, actor=actor, at=at)
    if action == Action.INSPECT:
        goods.return_inspect(
            order=order,
            actor=actor,
            passed=outcome,
            report=INSPECTION_REPORT if outcome else FAILED_INSPECTION,
            good_quantity=order.quantity if outcome else 0,
            defective_quantity=0 if outcome else order.quantity,
            at=at,
        )
    elif action == Action.RECORD_REPAIR:
        fault, parts = rng.choice(FAULTS)
        started = order.updated_at.date()
        repairs.repair_record(
            order=order,
            actor=actor,
            fault=fault,
            technician=rng.choice(TECHNICIANS),
            fixed=True,
            started_on=started,
            finished_on=max(started, at.date()),
            parts=parts,
            at=at,
        )
    elif action == Action.ISSUE:
        reference = f"QZ{rng.randrange(10**10):010d}"
        return goods.coupon_issue(order=order, actor=actor, reference=reference, at=at)
    else:
        raise ValueError(f"the demo has no move for {action}")
    return AfterSaleOrder.objects.get(pk=order.pk)


def insure(cast: Cast, order: AfterSaleOrder, *, at: dt.datetime) -> None:
    """The insurer paid the return postage of an insured return (运费险), by its tariff."""
    insurance.insurance_payout_record(
        order=order,
        amount=cast.rng.choice(("8.00", "10.00", "12.00", "15.00")),
        reference=f"YFX{cast.rng.randrange(10**12):012d}",
        actor=cast.users.get(Role.FINANCE.value) or cast.users["admin"],
        at=at.replace(microsecond=0),
    )


def track(cast: Cast, parcel: Parcel, moves: list[tuple[dt.datetime, str, bool]]) -> None:
    """The parcel's tracking movements (pick-up, transit, delivery), in order."""
    actor = cast.users.get(Role.LOGISTICS.value) or cast.users["admin"]
    for at, text, delivered in moves:
        _call(
            parcel_track,
            parcel=parcel,
            at=at,
            recorded_at=at,  # when the tracking feed told us (parcel_track: now)
            actor=actor,
            description=text,
            delivered=delivered,
        )
        cast.count("movements")


def movements(
    rng: random.Random, shipped: dt.datetime, until: dt.datetime, *, delivered: bool
) -> list[tuple[dt.datetime, str, bool]]:
    """Pick-up, transit and (when `delivered`) the signature, between `shipped` and
    `until`."""
    span = until - shipped
    out = [(shipped + span * 0.15, f"快件已由【{rng.choice(CITIES)}】揽收", False)]
    out.append((shipped + span * 0.5, f"快件已到达【{rng.choice(CITIES)}转运中心】", False))
    if delivered:
        out.append((shipped + span * 0.9, "快件已签收，签收人：本人", True))
    return [(at.replace(microsecond=0), text, done) for at, text, done in out]
