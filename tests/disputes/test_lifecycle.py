"""The pure lifecycle (SPEC §2) against a table written from the spec, not from the code."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from aftersales.disputes import lifecycle
from aftersales.disputes.lifecycle import (
    GENERIC,
    OPEN,
    TERMINAL,
    Action,
    ActionNotAllowed,
    ActionOwned,
    CaseFacts,
    EscalationRoute,
    GuardRefused,
    Owner,
    Status,
    UnknownAction,
    allowed_actions,
    decide,
    owner_of,
    path_to,
    plain_actions,
)

from .spec_lifecycle import OPEN_STATES, SPEC_MOVES

S, A = Status, Action
SH = ZoneInfo("Asia/Shanghai")

# Enough to satisfy every guard, so the table test judges only the (state, action) pair;
# each action comes through its own door (`owner_of`).
GOOD_REASON = "顾客已在电话中确认"
NOTE = {"method": "staff_note", "channel": "phone", "at": "2026-12-04T10:00:00+08:00"}
GOOD_PAYLOAD = {
    "route": "platform",
    "customer_confirmed": True,
    "ground": "invalid",
    "confirmation": NOTE,
}


def good(status, action):
    return decide(
        status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD, via=owner_of(Action(action))
    )


def test_spec_states_are_exactly_the_status_enum():
    assert set(Status) == {s for (s, _) in SPEC_MOVES} | set(SPEC_MOVES.values())
    assert set(TERMINAL) == {S.CLOSED, S.REJECTED, S.WITHDRAWN}
    assert set(OPEN) == set(OPEN_STATES)


@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(Status, Action)),
    ids=lambda v: v.value,
)
def test_every_state_action_pair_matches_spec(status, action):
    expected = SPEC_MOVES.get((status, action))
    if expected is None:
        with pytest.raises(ActionNotAllowed) as exc:
            good(status, action)
        assert exc.value.status == status
        assert set(exc.value.allowed) == {a for (s, a) in SPEC_MOVES if s == status}
    else:
        move = good(status, action)
        assert (move.source, move.action, move.target) == (status, action, expected)


@pytest.mark.parametrize("status", list(Status), ids=lambda v: v.value)
def test_allowed_actions_per_state(status):
    assert set(allowed_actions(status)) == {a for (s, a) in SPEC_MOVES if s == status}
    assert set(allowed_actions(status.value)) == set(allowed_actions(status))


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=lambda v: v.value)
def test_terminal_states_allow_nothing_but_a_requested_reopen(status):
    reopens = [Action.REOPEN] if status == S.CLOSED else []
    assert allowed_actions(status) == reopens
    for action in set(Action) - set(reopens):
        with pytest.raises(ActionNotAllowed):
            good(status, action)


def test_a_closed_dispute_reopens_only_on_the_customers_request():
    asked = CaseFacts(reopen_requested=True)
    move = decide(S.CLOSED, Action.REOPEN, reason=GOOD_REASON, facts=asked)
    assert move.target == S.REOPENED
    with pytest.raises(GuardRefused) as refused:
        decide(S.CLOSED, Action.REOPEN, reason=GOOD_REASON, facts=CaseFacts())
    assert refused.value.refusal.code == "reopen_not_requested"
    # From follow-up (an unsatisfied visit) no request is asked for.
    assert decide(S.FOLLOW_UP, Action.REOPEN, reason=GOOD_REASON, facts=CaseFacts()).target


def test_unknown_action_is_its_own_error():
    with pytest.raises(UnknownAction) as exc:
        decide(S.RECEIVED, "approve")
    assert exc.value.action == "approve"


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        decide("archived", A.TRIAGE)


# --- guards ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "payload"),
    [
        (S.TRIAGED, A.REJECT, {}),
        (S.INVESTIGATING, A.ESCALATE, {"route": "platform"}),
        (S.PROPOSING, A.REVISE, {}),
        (S.FOLLOW_UP, A.REOPEN, {}),
        (S.EXECUTING, A.RENEGOTIATE, {}),
        (S.FOLLOW_UP, A.RESUME, {}),
        (S.EXECUTING, A.WITHDRAW, {"confirmation": NOTE}),
    ],
    ids=["reject", "escalate", "revise", "reopen", "renegotiate", "resume", "withdraw"],
)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"], ids=["empty", "spaces", "whitespace"])
def test_reason_required(status, action, payload, reason):
    via = owner_of(action)
    with pytest.raises(GuardRefused) as exc:
        decide(status, action, reason=reason, payload=payload, via=via)
    assert exc.value.refusal.code == "reason_required"
    assert exc.value.refusal.field == "reason"
    assert decide(status, action, reason="理由", payload=payload, via=via).action == action


@pytest.mark.parametrize(
    ("status", "action"),
    [(S.RECEIVED, A.TRIAGE), (S.TRIAGED, A.INVESTIGATE), (S.PROPOSING, A.SETTLE)],
)
def test_plain_moves_need_no_reason(status, action):
    assert decide(status, action, via=owner_of(action)).target == SPEC_MOVES[(status, action)]


def test_reject_ground_must_be_known():
    with pytest.raises(GuardRefused) as exc:
        decide(S.TRIAGED, A.REJECT, reason="重复", payload={"ground": "boring"})
    assert exc.value.refusal.code == "ground_invalid"
    assert decide(S.TRIAGED, A.REJECT, reason="重复", payload={"ground": "duplicate"})


@pytest.mark.parametrize("source", [S.INVESTIGATING, S.PROPOSING, S.EXECUTING])
def test_escalate_needs_a_route(source):
    via = Owner.ESCALATION_FILE
    with pytest.raises(GuardRefused) as exc:
        decide(source, A.ESCALATE, reason="顾客投诉到 12315", via=via)
    assert (exc.value.refusal.code, exc.value.refusal.field) == ("route_required", "route")
    with pytest.raises(GuardRefused) as exc:
        decide(source, A.ESCALATE, reason="顾客投诉到 12315", payload={"route": "moon"}, via=via)
    assert exc.value.refusal.code == "route_invalid"
    assert set(exc.value.refusal.params["choices"]) == {r.value for r in EscalationRoute}
    for route in EscalationRoute:
        move = decide(source, A.ESCALATE, reason="升级", payload={"route": route.value}, via=via)
        assert move.target == S.ESCALATED


@pytest.mark.parametrize(
    "payload",
    [
        {"customer_confirmed": True},
        {"satisfaction": 5, "resolved": True},
        {"satisfaction": 3, "resolved": True},
        {"satisfaction": 4, "resolved": True, "comment": "满意"},
    ],
)
def test_close_from_follow_up_with_a_closing_record(payload):
    assert decide(S.FOLLOW_UP, A.CLOSE, payload=payload).target == S.CLOSED


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "closing_record_required"),
        ({"customer_confirmed": False}, "closing_record_required"),
        ({"customer_confirmed": "true"}, "closing_record_required"),
        ({"satisfaction": 0, "resolved": True}, "satisfaction_invalid"),
        ({"satisfaction": 6, "resolved": True}, "satisfaction_invalid"),
        ({"satisfaction": "5", "resolved": True}, "satisfaction_invalid"),
        ({"satisfaction": 4.5, "resolved": True}, "satisfaction_invalid"),
        ({"satisfaction": True, "resolved": True}, "satisfaction_invalid"),
        ({"satisfaction": 5}, "follow_up_unsatisfied"),
        ({"satisfaction": 5, "resolved": False}, "follow_up_unsatisfied"),
        ({"satisfaction": 1, "resolved": True}, "follow_up_unsatisfied"),
        ({"satisfaction": 2, "resolved": True}, "follow_up_unsatisfied"),
    ],
)
def test_close_from_follow_up_refused_without_a_satisfied_record(payload, code):
    with pytest.raises(GuardRefused) as exc:
        decide(S.FOLLOW_UP, A.CLOSE, reason="回访完成", payload=payload)
    assert exc.value.refusal.code == code


def test_unsatisfied_follow_up_reopens_instead():
    with pytest.raises(GuardRefused):
        decide(S.FOLLOW_UP, A.CLOSE, payload={"satisfaction": 1, "resolved": False})
    assert decide(S.FOLLOW_UP, A.REOPEN, reason="顾客不满意").target == S.REOPENED


def test_close_from_escalated_needs_the_outcome_as_reason():
    with pytest.raises(GuardRefused) as exc:
        decide(S.ESCALATED, A.CLOSE, payload={"customer_confirmed": True})
    assert (exc.value.refusal.code, exc.value.refusal.field) == ("reason_required", "reason")
    assert decide(S.ESCALATED, A.CLOSE, reason="12315 调解结案").target == S.CLOSED


def test_a_failed_after_sale_order_sends_the_dispute_back_to_mediation():
    via = Owner.FULFILMENT
    move = decide(S.EXECUTING, A.RENEGOTIATE, reason="验货不通过：人为损坏", via=via)
    assert (move.source, move.target) == (S.EXECUTING, S.INVESTIGATING)
    with pytest.raises(ActionOwned) as exc:
        decide(S.EXECUTING, A.RENEGOTIATE, reason="验货不通过")  # the actions endpoint
    assert exc.value.owner == Owner.FULFILMENT
    with pytest.raises(ActionNotAllowed):
        decide(S.FOLLOW_UP, A.RENEGOTIATE, reason="维修失败", via=via)


# --- path_to ---------------------------------------------------------------------------


def _walk(actions: list[Action]) -> Status:
    status = S.RECEIVED
    for action in actions:
        status = good(status, action).target
    return status


@pytest.mark.parametrize("target", list(Status), ids=lambda v: v.value)
def test_path_to_reaches_every_state(target):
    path = path_to(target)
    assert _walk(path) == target


def test_path_to_follows_the_main_line():
    assert path_to(S.CLOSED) == [
        A.TRIAGE,
        A.INVESTIGATE,
        A.PROPOSE,
        A.SETTLE,
        A.COMPLETE,
        A.CLOSE,
    ]
    assert path_to(S.RECEIVED) == []
    assert path_to(S.REJECTED) == [A.TRIAGE, A.REJECT]
    # Only where it must: reopened lies behind a detour.
    assert path_to(S.REOPENED)[-1] == A.REOPEN
    assert A.RENEGOTIATE not in path_to(S.INVESTIGATING)


# --- random walks ----------------------------------------------------------------------

reasons = st.sampled_from(["", "  ", "顾客要求", "平台介入"])
payloads = st.fixed_dictionaries(
    {},
    optional={
        "route": st.sampled_from([*(r.value for r in EscalationRoute), "moon", ""]),
        "customer_confirmed": st.sampled_from([True, False, "yes", None]),
        "satisfaction": st.one_of(st.integers(-1, 7), st.just("5"), st.none()),
        "resolved": st.booleans(),
        "ground": st.sampled_from(["invalid", "duplicate", "fake", "mistaken", "x"]),
        "confirmation": st.sampled_from([NOTE, {"method": "portal"}, {"method": "x"}, "yes"]),
    },
)
actions = st.one_of(st.sampled_from(list(Action)), st.text(max_size=8))
doors = st.sampled_from([None, *Owner])


def via_for(action, door_roll):
    """Mostly the action's own door; sometimes any other, which must be refused."""
    known = action in {a.value for a in Action}
    return owner_of(action) if known and door_roll is None else door_roll


@settings(max_examples=300)
@given(st.lists(st.tuples(actions, reasons, payloads, st.one_of(st.none(), doors)), max_size=40))
def test_random_sequences_stay_inside_spec(steps):
    status = S.RECEIVED
    for action, reason, payload, door_roll in steps:
        via = via_for(action, door_roll)
        try:
            move = decide(status, action, reason=reason, payload=payload, via=via)
        except lifecycle.LifecycleError as exc:
            if isinstance(exc, UnknownAction):
                assert action not in {a.value for a in Action}
            elif isinstance(exc, ActionOwned):
                assert via not in lifecycle.doors(action)
            continue
        assert via in lifecycle.doors(action), f"{action} accepted through {via}"
        expected = SPEC_MOVES.get((status, Action(action)))
        assert expected is not None, f"{action} accepted in {status}"
        assert move.target == expected
        status = move.target
        assert status in set(Status)


class LifecycleMachine(RuleBasedStateMachine):
    """Drives `decide` with any action; the model is the SPEC table."""

    def __init__(self):
        super().__init__()
        self.status = S.RECEIVED
        self.history: list[Status] = [S.RECEIVED]

    @rule(action=st.sampled_from(list(Action)), reason=reasons, payload=payloads)
    def attempt(self, action, reason, payload):
        expected = SPEC_MOVES.get((self.status, action))
        try:
            move = decide(self.status, action, reason=reason, payload=payload, via=owner_of(action))
        except ActionNotAllowed:
            assert expected is None
            return
        except GuardRefused:
            assert expected is not None  # a guard only refuses a move the table allows
            return
        assert move.target == expected
        self.status = move.target
        self.history.append(self.status)

    @rule(action=st.sampled_from(sorted(set(Action) - GENERIC)), payload=payloads)
    def owned_action_at_the_generic_door(self, action, payload):
        # Refused whatever the state, the reason or the payload.
        with pytest.raises(ActionOwned):
            decide(self.status, action, reason=GOOD_REASON, payload=payload)

    @invariant()
    def status_is_known(self):
        assert self.status in set(Status)

    @invariant()
    def terminal_allows_nothing(self):
        # …but a closed dispute's reopen, on its customer's request (issue 14).
        if self.status in TERMINAL:
            reopens = [Action.REOPEN] if self.status == S.CLOSED else []
            assert allowed_actions(self.status) == reopens
            assert lifecycle.offered(self.status) == []


TestLifecycleMachine = LifecycleMachine.TestCase
TestLifecycleMachine.settings = settings(max_examples=150, stateful_step_count=30)


# --- doors (issue 10): each action applied only through the workflow that owns it ------


def test_one_place_says_which_actions_are_generic():
    assert GENERIC == {
        A.TRIAGE,
        A.INVESTIGATE,
        A.REJECT,
        A.COMPLETE,
        A.CLOSE,
        A.REOPEN,
        A.WITHDRAW,
    }
    assert {a: owner_of(a) for a in set(Action) - GENERIC} == {
        A.PROPOSE: Owner.PROPOSAL_SEND,
        A.REVISE: Owner.PROPOSAL_SEND,
        A.SETTLE: Owner.CUSTOMER_ACCEPTANCE,
        A.ESCALATE: Owner.ESCALATION_FILE,
        A.RENEGOTIATE: Owner.FULFILMENT,
        A.RESUME: Owner.FULFILMENT,
    }
    assert plain_actions() == [A.TRIAGE, A.INVESTIGATE, A.COMPLETE]


@pytest.mark.parametrize("status", list(Status), ids=lambda v: v.value)
@pytest.mark.parametrize("action", sorted(set(Action) - GENERIC), ids=lambda v: v.value)
def test_an_owned_action_is_refused_at_any_other_door_in_every_state(status, action):
    for via in [None, *(o for o in Owner if o != owner_of(action))]:
        with pytest.raises(ActionOwned) as exc:
            decide(status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD, via=via)
        assert (exc.value.action, exc.value.owner, exc.value.via) == (action, owner_of(action), via)


@pytest.mark.parametrize("via", [o for o in Owner if o != Owner.CUSTOMER_PORTAL])
@pytest.mark.parametrize("action", sorted(GENERIC), ids=lambda v: v.value)
def test_a_workflow_cannot_apply_a_generic_action(via, action):
    with pytest.raises(ActionOwned) as exc:
        decide(S.TRIAGED, action, via=via)
    assert exc.value.owner is None


def test_the_customers_door_may_withdraw_and_nothing_else():
    for action in GENERIC - {A.WITHDRAW}:
        with pytest.raises(ActionOwned):
            decide(S.FOLLOW_UP, action, via=Owner.CUSTOMER_PORTAL)
    confirmed = {"confirmation": {"method": "portal"}}
    move = decide(
        S.FOLLOW_UP, A.WITHDRAW, reason="撤回", payload=confirmed, via=Owner.CUSTOMER_PORTAL
    )
    assert move.target == S.WITHDRAWN


RECEIVED_AT = dt.datetime(2026, 12, 4, 9, 0, tzinfo=SH)
APPLIED_AT = dt.datetime(2026, 12, 4, 11, 0, tzinfo=SH)


def withdrawal(confirmation, via=None, reason="顾客已自行修好"):
    return decide(
        S.INVESTIGATING,
        A.WITHDRAW,
        reason=reason,
        payload={} if confirmation is None else {"confirmation": confirmation},
        via=via,
        at=APPLIED_AT,
        received_at=RECEIVED_AT,
    )


@pytest.mark.parametrize(
    ("confirmation", "code", "field"),
    [
        (None, "confirmation_required", "confirmation"),
        ("电话", "confirmation_required", "confirmation"),
        ({}, "confirmation_method_invalid", "confirmation.method"),
        ({"method": "sms"}, "confirmation_method_invalid", "confirmation.method"),
        ({"method": "portal"}, "confirmation_customer_only", "confirmation.method"),
        ({"method": "code"}, "confirmation_customer_only", "confirmation.method"),
        ({**NOTE, "channel": None}, "confirmation_channel_invalid", "confirmation.channel"),
        ({**NOTE, "channel": "wechat"}, "confirmation_channel_invalid", "confirmation.channel"),
        ({**NOTE, "at": None}, "confirmation_at_invalid", "confirmation.at"),
        ({**NOTE, "at": 1733277600}, "confirmation_at_invalid", "confirmation.at"),
        ({**NOTE, "at": "2026-12-04 10:00"}, "confirmation_at_invalid", "confirmation.at"),
        ({**NOTE, "at": "2026-12-04T11:00:01+08:00"}, "confirmation_at_future", "confirmation.at"),
        (
            {**NOTE, "at": "2026-12-04T00:59:59Z"},
            "confirmation_at_before_intake",
            "confirmation.at",
        ),
        ({**NOTE, "note": "长" * 501}, "confirmation_note_invalid", "confirmation.note"),
    ],
)
def test_withdrawal_needs_the_customers_confirmation(confirmation, code, field):
    with pytest.raises(GuardRefused) as exc:
        withdrawal(confirmation)
    assert (exc.value.refusal.code, exc.value.refusal.field) == (code, field)


@pytest.mark.parametrize(
    ("confirmation", "via"),
    [
        (NOTE, None),
        ({**NOTE, "at": "2026-12-04T01:00:00Z", "note": ""}, None),  # 09:00 in Shanghai
        ({**NOTE, "at": "2026-12-04T11:00:00+08:00", "channel": "in_person"}, None),
        ({"method": "portal"}, Owner.CUSTOMER_PORTAL),
        ({"method": "code"}, Owner.CUSTOMER_PORTAL),
    ],
)
def test_withdrawal_with_a_confirmation_from_the_right_door(confirmation, via):
    assert withdrawal(confirmation, via=via).target == S.WITHDRAWN


def test_withdrawal_still_needs_a_reason():
    with pytest.raises(GuardRefused) as exc:
        withdrawal(NOTE, reason=" ")
    assert exc.value.refusal.field == "reason"
