"""The after-sale order (售后单) state machines of SPEC §7, as data. Pure: no ORM.

One after-sale order carries out one agreed remedy line. Its type (售后类型) and variant
choose a flow: a table of transitions (action, from states, to state). `decide()` judges
one move; `fulfilment.steps.aftersale_step` is the only code that applies one.

    money    awaiting_finance ─finance_approve─► awaiting_payout ─record_payout─► done
             done ─bounce─► awaiting_finance (the payout came back: finance again, with why)
    coupon   awaiting_issue ─issue─► done
    goods    awaiting_shipment ─ship─► shipped ─confirm_delivery─► done (re-ship, gift)
    return   awaiting_return_address ─send_return_address─► awaiting_return ─return_ship─►
             return_shipped ─receive─► received ─inspect─► (pass) refund │ (fail) failed
    exchange [awaiting_customer_payment ─collect_payment─►] return … received ─inspect─►
             awaiting_shipment ─ship─► shipped ─confirm_delivery─► done; out_of_stock ─► failed
    repair   return … received ─start_repair─► repairing ─record_repair─► (fixed)
             awaiting_shipment … done │ (not fixed) failed
    any open state ─cancel─► cancelled

`failed` is a cancellation that sends the dispute back to mediation (lifecycle
`renegotiate`): the inspection failed, the exchange item is out of stock, the repair failed.
The codes with their labels (type, variant, state, action) are fulfilment.aftersale_codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

# The codes stay importable from here (flows.Action, flows.State, …), as the callers know them.
from .aftersale_codes import Action, AfterSaleType, CompensationForm, State, Variant

S, A, T = State, Action, AfterSaleType

FINAL: frozenset[State] = frozenset({S.DONE, S.CANCELLED, S.FAILED})
OPEN: frozenset[State] = frozenset(s for s in State if s not in FINAL)
# Finished without carrying out what was agreed: the dispute goes back to mediation.
SENDS_BACK: frozenset[State] = frozenset({S.FAILED})

# The department that must act while an order is in a state (None: nobody, or the
# customer, followed up by customer service).
DEPARTMENT_OF_STATE: dict[State, str | None] = {
    S.AWAITING_FINANCE: "finance",
    S.AWAITING_PAYOUT: "finance",
    S.AWAITING_CUSTOMER_PAYMENT: "finance",
    S.AWAITING_RETURN_ADDRESS: "customer_service",
    S.AWAITING_RETURN: "customer_service",
    S.RETURN_SHIPPED: "logistics",
    S.RECEIVED: "quality_control",
    S.REPAIRING: "quality_control",
    S.AWAITING_SHIPMENT: "logistics",
    S.SHIPPED: "logistics",
    S.AWAITING_ISSUE: "operations",
    S.DONE: None,
    S.CANCELLED: None,
    S.FAILED: None,
}

# What a move needs from the person (or system) making it, beyond the order itself.
# `outcome`: a move with two possible targets (inspect, record_repair) names them by key.
REASON_ACTIONS: frozenset[Action] = frozenset({A.BOUNCE, A.OUT_OF_STOCK, A.CANCEL})


@dataclass(frozen=True)
class Step:
    action: Action
    sources: frozenset[State]
    target: State
    # For a move with two outcomes: target when the outcome is False (inspection failed,
    # repair not fixed). None: one outcome only.
    target_if_not: State | None = None
    guard: str = ""  # a named guard in GUARDS


def _step(action, sources, target, *, if_not=None, guard="") -> Step:
    sources = frozenset({sources} if isinstance(sources, State) else sources)
    return Step(action, sources, target, if_not, guard)


_MONEY = (
    _step(A.FINANCE_APPROVE, S.AWAITING_FINANCE, S.AWAITING_PAYOUT),
    _step(A.RECORD_PAYOUT, S.AWAITING_PAYOUT, S.DONE),
    _step(A.BOUNCE, S.DONE, S.AWAITING_FINANCE),
)
_RETURN = (
    _step(A.SEND_RETURN_ADDRESS, S.AWAITING_RETURN_ADDRESS, S.AWAITING_RETURN),
    _step(A.RETURN_SHIP, S.AWAITING_RETURN, S.RETURN_SHIPPED),
    _step(A.RECEIVE, S.RETURN_SHIPPED, S.RECEIVED),
)
_DELIVERY = (
    _step(A.SHIP, S.AWAITING_SHIPMENT, S.SHIPPED),
    _step(A.CONFIRM_DELIVERY, S.SHIPPED, S.DONE),
)


@dataclass(frozen=True)
class Flow:
    code: str
    start: State
    steps: tuple[Step, ...]
    # A first state used instead of `start` when a guard on the order says so.
    start_if: tuple[tuple[str, State], ...] = ()
    label: str = ""

    def step(self, action: Action) -> Step | None:
        return next((s for s in self.steps if s.action == action), None)

    def actions_from(self, state: State) -> list[Action]:
        return [s.action for s in self.steps if state in s.sources]


FLOWS: dict[str, Flow] = {
    f.code: f
    for f in (
        Flow("money", S.AWAITING_FINANCE, _MONEY),
        Flow("coupon", S.AWAITING_ISSUE, (_step(A.ISSUE, S.AWAITING_ISSUE, S.DONE),)),
        Flow("goods", S.AWAITING_SHIPMENT, _DELIVERY),
        Flow(
            "return_refund",
            S.AWAITING_RETURN_ADDRESS,
            (
                *_RETURN,
                _step(A.INSPECT, S.RECEIVED, S.AWAITING_FINANCE, if_not=S.FAILED),
                *_MONEY,
            ),
        ),
        Flow(
            "return_refund:refund_first",
            S.AWAITING_FINANCE,
            (
                _step(A.FINANCE_APPROVE, S.AWAITING_FINANCE, S.AWAITING_PAYOUT),
                _step(A.RECORD_PAYOUT, S.AWAITING_PAYOUT, S.AWAITING_RETURN_ADDRESS),
                # A bounce of the refund sends it back to finance; the return goes on.
                _step(
                    A.BOUNCE,
                    {S.AWAITING_RETURN_ADDRESS, S.AWAITING_RETURN, S.RETURN_SHIPPED, S.RECEIVED},
                    S.AWAITING_FINANCE,
                ),
                *_RETURN,
                _step(A.INSPECT, S.RECEIVED, S.DONE, if_not=S.FAILED),
            ),
        ),
        Flow(
            "exchange",
            S.AWAITING_RETURN_ADDRESS,
            (
                _step(A.COLLECT_PAYMENT, S.AWAITING_CUSTOMER_PAYMENT, S.AWAITING_RETURN_ADDRESS),
                *_RETURN,
                _step(A.INSPECT, S.RECEIVED, S.AWAITING_SHIPMENT, if_not=S.FAILED),
                *_DELIVERY,
                _step(
                    A.OUT_OF_STOCK,
                    {
                        S.AWAITING_CUSTOMER_PAYMENT,
                        S.AWAITING_RETURN_ADDRESS,
                        S.AWAITING_RETURN,
                        S.RETURN_SHIPPED,
                        S.RECEIVED,
                        S.AWAITING_SHIPMENT,
                    },
                    S.FAILED,
                ),
            ),
            start_if=(("customer_owes", S.AWAITING_CUSTOMER_PAYMENT),),
        ),
        Flow(
            "exchange:ship_first",
            S.AWAITING_RETURN_ADDRESS,
            (
                _step(A.COLLECT_PAYMENT, S.AWAITING_CUSTOMER_PAYMENT, S.AWAITING_RETURN_ADDRESS),
                _step(A.SEND_RETURN_ADDRESS, S.AWAITING_RETURN_ADDRESS, S.AWAITING_RETURN),
                _step(A.RETURN_SHIP, S.AWAITING_RETURN, S.RETURN_SHIPPED),
                # The replacement leaves once the customer's parcel is moving.
                _step(A.SHIP, S.RETURN_SHIPPED, S.SHIPPED, guard="return_moving"),
                _step(A.RECEIVE, S.SHIPPED, S.RECEIVED),
                _step(A.INSPECT, S.RECEIVED, S.DONE, if_not=S.FAILED),
                _step(
                    A.OUT_OF_STOCK,
                    {
                        S.AWAITING_CUSTOMER_PAYMENT,
                        S.AWAITING_RETURN_ADDRESS,
                        S.AWAITING_RETURN,
                        S.RETURN_SHIPPED,
                    },
                    S.FAILED,
                ),
            ),
            start_if=(("customer_owes", S.AWAITING_CUSTOMER_PAYMENT),),
        ),
        Flow(
            "repair",
            S.AWAITING_RETURN_ADDRESS,
            (
                *_RETURN,
                _step(A.START_REPAIR, S.RECEIVED, S.REPAIRING),
                _step(A.RECORD_REPAIR, S.REPAIRING, S.AWAITING_SHIPMENT, if_not=S.FAILED),
                *_DELIVERY,
            ),
        ),
    )
}

MONEY_TYPES: frozenset[str] = frozenset(
    {T.REFUND_UNSHIPPED, T.REFUND_SHIPPED, T.PRICE_PROTECTION, T.SHIPPING_COMPENSATION}
)
# Types whose amount is money back on the price of the order (capped by what was paid).
REFUND_TYPES: frozenset[str] = frozenset(
    {T.REFUND_UNSHIPPED, T.REFUND_SHIPPED, T.RETURN_REFUND, T.PRICE_PROTECTION}
)
# Types whose goods come back to us (the return address, the customer's tracking number).
RETURN_TYPES: frozenset[str] = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REPAIR})
# Types that pay money out (a finance payout).
PAYOUT_TYPES: frozenset[str] = frozenset({*MONEY_TYPES, T.RETURN_REFUND})


def flow_code(type_: str, variant: str = "", form: str = "") -> str:
    """The flow an after-sale order of this type, variant and compensation form follows."""
    if type_ in MONEY_TYPES:
        return "money"
    if type_ == T.COMPENSATION:
        return {CompensationForm.COUPON: "coupon", CompensationForm.GIFT: "goods"}.get(
            form, "money"
        )
    if type_ == T.RESHIP:
        return "goods"
    if type_ == T.RETURN_REFUND:
        return "return_refund:refund_first" if variant == Variant.REFUND_FIRST else "return_refund"
    if type_ == T.EXCHANGE:
        return "exchange:ship_first" if variant == Variant.SHIP_FIRST else "exchange"
    if type_ == T.REPAIR:
        return "repair"
    raise ValueError(f"unknown after-sale type {type_!r}")


def flow_of(type_: str, variant: str = "", form: str = "") -> Flow:
    return FLOWS[flow_code(type_, variant, form)]


def pays_out(type_: str, form: str = "") -> bool:
    """Whether the order pays money to the customer (through finance)."""
    return type_ in PAYOUT_TYPES or (
        type_ == T.COMPENSATION and form in ("", CompensationForm.MONEY)
    )


def first_state(type_: str, variant: str = "", form: str = "", **facts: Any) -> State:
    """Where a new order starts. `facts`: customer_owes (the customer pays a difference
    first, 买家应补)."""
    flow = flow_of(type_, variant, form)
    for fact, state in flow.start_if:
        if facts.get(fact):
            return state
    return flow.start


# -- judging a move -------------------------------------------------------------------


class StepError(Exception):
    """A move the flow refuses; carries a code and parameters, the caller translates."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None):
        super().__init__(code)
        self.code, self.params = code, dict(params or {})


def _return_moving(facts: Mapping[str, Any]) -> str | None:
    return None if facts.get("return_moving") else "return_not_moving"


GUARDS = {"return_moving": _return_moving}


@dataclass(frozen=True)
class Move:
    action: Action
    source: State
    target: State
    data: Mapping[str, Any] = dc_field(default_factory=dict)


def allowed(type_: str, variant: str, form: str, state: State | str) -> list[Action]:
    """The actions an order in `state` may take (cancel included while it is open)."""
    state = State(state)
    actions = flow_of(type_, variant, form).actions_from(state)
    if state in OPEN:
        actions.append(A.CANCEL)
    return actions


def decide(
    type_: str,
    variant: str,
    form: str,
    state: State | str,
    action: Action | str,
    *,
    outcome: bool | None = None,
    reason: str = "",
    facts: Mapping[str, Any] | None = None,
) -> Move:
    """Judge one move of an order. `outcome`: for inspect (passed?) and record_repair
    (fixed?). `facts`: what named guards read (return_moving). Raises StepError."""
    state = State(state)
    try:
        action = Action(action)
    except ValueError:
        raise StepError("unknown_action", {"action": action}) from None
    if action in REASON_ACTIONS and not reason.strip():
        raise StepError("reason_required")
    if action == A.CANCEL:
        if state not in OPEN:
            raise StepError("order_finished", {"state": state.value})
        return Move(action, state, S.CANCELLED)
    step = flow_of(type_, variant, form).step(action)
    if step is None or state not in step.sources:
        raise StepError(
            "step_not_allowed",
            {
                "action": action.value,
                "state": state.value,
                "allowed": [a.value for a in allowed(type_, variant, form, state)],
            },
        )
    if step.guard:
        problem = GUARDS[step.guard](facts or {})
        if problem:
            raise StepError(problem)
    target = step.target
    if step.target_if_not is not None:
        if outcome is None:
            raise StepError("outcome_required")
        target = step.target if outcome else step.target_if_not
    return Move(action, state, target)
