"""The after-sale order state machines (fulfilment.flows) as data: no database. Every flow
gets to `done`, never strands an order, and `decide` refuses what its table does not
allow, saying why."""

from collections import deque

import pytest

from aftersales.fulfilment import flows
from aftersales.fulfilment.flows import (
    FINAL,
    FLOWS,
    OPEN,
    Action,
    AfterSaleType,
    State,
    StepError,
    decide,
)

A, S, T = Action, State, AfterSaleType

# Every (type, variant, form) an order can have, and the flow it follows.
KINDS = [
    (T.REFUND_UNSHIPPED, "", "", "money"),
    (T.REFUND_SHIPPED, "", "", "money"),
    (T.PRICE_PROTECTION, "", "", "money"),
    (T.SHIPPING_COMPENSATION, "", "", "money"),
    (T.COMPENSATION, "", "", "money"),
    (T.COMPENSATION, "", "money", "money"),
    (T.COMPENSATION, "", "coupon", "coupon"),
    (T.COMPENSATION, "", "gift", "goods"),
    (T.RESHIP, "", "", "goods"),
    (T.RETURN_REFUND, "", "", "return_refund"),
    (T.RETURN_REFUND, "refund_first", "", "return_refund:refund_first"),
    (T.EXCHANGE, "", "", "exchange"),
    (T.EXCHANGE, "ship_first", "", "exchange:ship_first"),
    (T.REPAIR, "", "", "repair"),
]


def successors(flow: flows.Flow, state: State):
    """Every (action, outcome, target) a flow allows from `state` (guards assumed met)."""
    for step in flow.steps:
        if state in step.sources:
            yield step.action, True, step.target
            if step.target_if_not is not None:
                yield step.action, False, step.target_if_not


def reachable(flow: flows.Flow, starts) -> set[State]:
    seen, todo = set(starts), deque(starts)
    while todo:
        for _action, _outcome, target in successors(flow, todo.popleft()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def walk(type_, variant, form, state, path):
    """Apply `path` [(action, outcome)] with decide; returns the states entered."""
    states = []
    for action, outcome in path:
        move = decide(
            type_, variant, form, state, action, outcome=outcome, facts={"return_moving": True}
        )
        state = move.target
        states.append(state.value)
    return states


def test_final_and_open_split_every_state():
    assert FINAL == {S.DONE, S.CANCELLED, S.FAILED}
    assert FINAL | OPEN == set(State) and not FINAL & OPEN


def test_every_open_state_has_a_department_and_no_final_one_has():
    for state in State:
        department = flows.DEPARTMENT_OF_STATE[state]
        assert (department is not None) == (state in OPEN), state


@pytest.mark.parametrize(("type_", "variant", "form", "code"), KINDS)
def test_each_type_follows_its_flow(type_, variant, form, code):
    assert flows.flow_code(type_, variant, form) == code


def test_an_unknown_type_has_no_flow():
    with pytest.raises(ValueError):
        flows.flow_code("teleport")


@pytest.mark.parametrize("flow", FLOWS.values(), ids=list(FLOWS))
def test_every_flow_reaches_done_and_never_strands_an_order(flow):
    starts = [flow.start, *(state for _fact, state in flow.start_if)]
    states = reachable(flow, starts)
    assert S.DONE in states
    # From every open state something still moves it (and cancel always can).
    for state in states & OPEN:
        assert list(successors(flow, state)), state
        assert FINAL & reachable(flow, [state]), state
    # Every state a step starts from can be reached: no dead rows in the table.
    for step in flow.steps:
        assert step.sources & states, (flow.code, step.action)


@pytest.mark.parametrize("flow", FLOWS.values(), ids=list(FLOWS))
def test_an_open_order_may_always_be_cancelled_a_finished_one_never(flow):
    for state in reachable(flow, [flow.start, *(s for _f, s in flow.start_if)]):
        type_, variant, form = next((t, v, f) for t, v, f, c in KINDS if c == flow.code)
        if state in OPEN:
            assert A.CANCEL in flows.allowed(type_, variant, form, state)
            move = decide(type_, variant, form, state, A.CANCEL, reason="顾客改主意")
            assert move.target == S.CANCELLED
        else:
            assert A.CANCEL not in flows.allowed(type_, variant, form, state)
            with pytest.raises(StepError) as refused:
                decide(type_, variant, form, state, A.CANCEL, reason="顾客改主意")
            assert refused.value.code == "order_finished"


RETURN = [(A.SEND_RETURN_ADDRESS, None), (A.RETURN_SHIP, None), (A.RECEIVE, None)]


@pytest.mark.parametrize(
    ("type_", "variant", "form", "start", "path", "states"),
    [
        (
            T.REFUND_SHIPPED,
            "",
            "",
            S.AWAITING_FINANCE,
            [(A.FINANCE_APPROVE, None), (A.RECORD_PAYOUT, None)],
            ["awaiting_payout", "done"],
        ),
        (
            T.RETURN_REFUND,
            "",
            "",
            S.AWAITING_RETURN_ADDRESS,
            [*RETURN, (A.INSPECT, True), (A.FINANCE_APPROVE, None), (A.RECORD_PAYOUT, None)],
            [
                "awaiting_return",
                "return_shipped",
                "received",
                "awaiting_finance",
                "awaiting_payout",
                "done",
            ],
        ),
        (
            T.RETURN_REFUND,
            "refund_first",
            "",
            S.AWAITING_FINANCE,
            [(A.FINANCE_APPROVE, None), (A.RECORD_PAYOUT, None), *RETURN, (A.INSPECT, True)],
            [
                "awaiting_payout",
                "awaiting_return_address",
                "awaiting_return",
                "return_shipped",
                "received",
                "done",
            ],
        ),
        (
            T.EXCHANGE,
            "",
            "",
            S.AWAITING_CUSTOMER_PAYMENT,
            [
                (A.COLLECT_PAYMENT, None),
                *RETURN,
                (A.INSPECT, True),
                (A.SHIP, None),
                (A.CONFIRM_DELIVERY, None),
            ],
            [
                "awaiting_return_address",
                "awaiting_return",
                "return_shipped",
                "received",
                "awaiting_shipment",
                "shipped",
                "done",
            ],
        ),
        (
            T.EXCHANGE,
            "ship_first",
            "",
            S.AWAITING_RETURN_ADDRESS,
            [*RETURN[:2], (A.SHIP, None), (A.RECEIVE, None), (A.INSPECT, True)],
            ["awaiting_return", "return_shipped", "shipped", "received", "done"],
        ),
        (
            T.RESHIP,
            "",
            "",
            S.AWAITING_SHIPMENT,
            [(A.SHIP, None), (A.CONFIRM_DELIVERY, None)],
            ["shipped", "done"],
        ),
        (
            T.COMPENSATION,
            "",
            "gift",
            S.AWAITING_SHIPMENT,
            [(A.SHIP, None), (A.CONFIRM_DELIVERY, None)],
            ["shipped", "done"],
        ),
        (T.COMPENSATION, "", "coupon", S.AWAITING_ISSUE, [(A.ISSUE, None)], ["done"]),
        (
            T.REPAIR,
            "",
            "",
            S.AWAITING_RETURN_ADDRESS,
            [
                *RETURN,
                (A.START_REPAIR, None),
                (A.RECORD_REPAIR, True),
                (A.SHIP, None),
                (A.CONFIRM_DELIVERY, None),
            ],
            [
                "awaiting_return",
                "return_shipped",
                "received",
                "repairing",
                "awaiting_shipment",
                "shipped",
                "done",
            ],
        ),
    ],
    ids=[
        "refund",
        "return",
        "refund_first",
        "exchange",
        "ship_first",
        "reship",
        "gift",
        "coupon",
        "repair",
    ],
)
def test_the_happy_path_of_each_flow(type_, variant, form, start, path, states):
    first = flows.first_state(
        type_, variant, form, customer_owes=start == S.AWAITING_CUSTOMER_PAYMENT
    )
    assert first == start
    assert walk(type_, variant, form, start, path) == states


@pytest.mark.parametrize(
    ("type_", "variant", "state", "action"),
    [
        (T.RETURN_REFUND, "", S.RECEIVED, A.INSPECT),
        (T.RETURN_REFUND, "refund_first", S.RECEIVED, A.INSPECT),
        (T.EXCHANGE, "", S.RECEIVED, A.INSPECT),
        (T.EXCHANGE, "ship_first", S.RECEIVED, A.INSPECT),
        (T.REPAIR, "", S.REPAIRING, A.RECORD_REPAIR),
    ],
)
def test_a_failed_inspection_or_repair_fails_the_order(type_, variant, state, action):
    assert decide(type_, variant, "", state, action, outcome=False).target == S.FAILED
    with pytest.raises(StepError) as refused:
        decide(type_, variant, "", state, action)
    assert refused.value.code == "outcome_required"


@pytest.mark.parametrize(
    "state",
    [
        S.AWAITING_CUSTOMER_PAYMENT,
        S.AWAITING_RETURN_ADDRESS,
        S.AWAITING_RETURN,
        S.RETURN_SHIPPED,
        S.RECEIVED,
        S.AWAITING_SHIPMENT,
    ],
)
def test_an_exchange_item_out_of_stock_fails_the_order_before_it_ships(state):
    assert decide(T.EXCHANGE, "", "", state, A.OUT_OF_STOCK, reason="缺货").target == S.FAILED
    with pytest.raises(StepError) as refused:
        decide(T.EXCHANGE, "", "", state, A.OUT_OF_STOCK, reason=" ")
    assert refused.value.code == "reason_required"


def test_out_of_stock_after_shipping_is_too_late():
    with pytest.raises(StepError) as refused:
        decide(T.EXCHANGE, "", "", S.SHIPPED, A.OUT_OF_STOCK, reason="缺货")
    assert refused.value.code == "step_not_allowed"
    assert refused.value.params["allowed"] == ["confirm_delivery", "cancel"]


def test_ship_first_waits_for_the_return_parcel_to_move():
    with pytest.raises(StepError) as refused:
        decide(T.EXCHANGE, "ship_first", "", S.RETURN_SHIPPED, A.SHIP, facts={})
    assert refused.value.code == "return_not_moving"
    moving = {"return_moving": True}
    assert decide(T.EXCHANGE, "ship_first", "", S.RETURN_SHIPPED, A.SHIP, facts=moving).target == (
        S.SHIPPED
    )
    # A standard exchange does not ship before the goods are back and inspected.
    with pytest.raises(StepError) as refused:
        decide(T.EXCHANGE, "", "", S.RETURN_SHIPPED, A.SHIP, facts=moving)
    assert refused.value.code == "step_not_allowed"
    assert refused.value.params["allowed"] == ["receive", "out_of_stock", "cancel"]


def test_a_bounced_refund_goes_back_to_finance_with_a_reason():
    assert decide(T.REFUND_SHIPPED, "", "", S.DONE, A.BOUNCE, reason="账户已注销").target == (
        S.AWAITING_FINANCE
    )
    with pytest.raises(StepError) as refused:
        decide(T.REFUND_SHIPPED, "", "", S.DONE, A.BOUNCE)
    assert refused.value.code == "reason_required"
    # refund_first: the bounce comes back while the goods are on their way.
    assert decide(
        T.RETURN_REFUND, "refund_first", "", S.RETURN_SHIPPED, A.BOUNCE, reason="卡号有误"
    ).target == (S.AWAITING_FINANCE)


def test_a_step_from_the_wrong_state_names_the_allowed_ones():
    with pytest.raises(StepError) as refused:
        decide(T.RETURN_REFUND, "", "", S.AWAITING_RETURN_ADDRESS, A.RECEIVE)
    error = refused.value
    assert error.code == "step_not_allowed"
    assert error.params == {
        "action": "receive",
        "state": "awaiting_return_address",
        "allowed": ["send_return_address", "cancel"],
    }


def test_an_unknown_action_is_refused():
    with pytest.raises(StepError) as refused:
        decide(T.RESHIP, "", "", S.AWAITING_SHIPMENT, "teleport")
    assert refused.value.code == "unknown_action"
    assert refused.value.params == {"action": "teleport"}


def test_steps_a_type_does_not_have_are_refused():
    # A coupon is never shipped; a re-shipment is never inspected.
    for type_, form, state, action in [
        (T.COMPENSATION, "coupon", S.AWAITING_ISSUE, A.SHIP),
        (T.RESHIP, "", S.AWAITING_SHIPMENT, A.INSPECT),
        (T.REPAIR, "", S.RECEIVED, A.INSPECT),
        (T.RETURN_REFUND, "", S.RECEIVED, A.START_REPAIR),
    ]:
        with pytest.raises(StepError) as refused:
            decide(type_, "", form, state, action, outcome=True)
        assert refused.value.code == "step_not_allowed"


def test_who_pays_out():
    assert flows.pays_out(T.RETURN_REFUND)
    assert flows.pays_out(T.COMPENSATION, "money") and flows.pays_out(T.COMPENSATION)
    assert not flows.pays_out(T.COMPENSATION, "coupon")
    assert not flows.pays_out(T.COMPENSATION, "gift")
    assert not flows.pays_out(T.EXCHANGE) and not flows.pays_out(T.REPAIR)
    assert flows.RETURN_TYPES == {T.RETURN_REFUND, T.EXCHANGE, T.REPAIR}


def test_the_plain_step_service_refuses_a_delivery_which_must_mark_the_parcel(db):
    """A delivery goes through `goods.delivery_confirm` (which marks our parcel signed
    for); the plain step service names the action as refused, so no door can skip it."""
    from aftersales.common.errors import ValidationFailed
    from aftersales.fulfilment.aftersale_orders import aftersale_step

    with pytest.raises(ValidationFailed) as refused:
        aftersale_step(order=None, action="confirm_delivery", actor=None)
    assert "action" in refused.value.fields
