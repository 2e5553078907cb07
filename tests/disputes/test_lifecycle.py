"""The pure lifecycle (SPEC §2) against a table written from the spec, not from the code."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from aftersales.disputes import lifecycle
from aftersales.disputes.lifecycle import (
    OPEN,
    TERMINAL,
    Action,
    ActionNotAllowed,
    EscalationRoute,
    GuardRefused,
    Status,
    UnknownAction,
    allowed_actions,
    decide,
    path_to,
)

from .spec_lifecycle import OPEN_STATES, SPEC_MOVES

S, A = Status, Action

# Enough to satisfy every guard, so the table test judges only the (state, action) pair.
GOOD_REASON = "顾客已在电话中确认"
GOOD_PAYLOAD = {"route": "platform", "customer_confirmed": True, "ground": "invalid"}


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
            decide(status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD)
        assert exc.value.status == status
        assert set(exc.value.allowed) == {a for (s, a) in SPEC_MOVES if s == status}
    else:
        move = decide(status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD)
        assert (move.source, move.action, move.target) == (status, action, expected)


@pytest.mark.parametrize("status", list(Status), ids=lambda v: v.value)
def test_allowed_actions_per_state(status):
    assert set(allowed_actions(status)) == {a for (s, a) in SPEC_MOVES if s == status}
    assert set(allowed_actions(status.value)) == set(allowed_actions(status))


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=lambda v: v.value)
def test_terminal_states_allow_nothing(status):
    assert allowed_actions(status) == []
    for action in Action:
        with pytest.raises(ActionNotAllowed):
            decide(status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD)


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
    ],
    ids=["reject", "escalate", "revise", "reopen"],
)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"], ids=["empty", "spaces", "whitespace"])
def test_reason_required(status, action, payload, reason):
    with pytest.raises(GuardRefused) as exc:
        decide(status, action, reason=reason, payload=payload)
    assert exc.value.refusal.code == "reason_required"
    assert exc.value.refusal.field == "reason"
    assert decide(status, action, reason="理由", payload=payload).action == action


@pytest.mark.parametrize(
    ("status", "action"),
    [(S.RECEIVED, A.TRIAGE), (S.TRIAGED, A.INVESTIGATE), (S.PROPOSING, A.SETTLE)],
)
def test_plain_moves_need_no_reason(status, action):
    assert decide(status, action).target == SPEC_MOVES[(status, action)]


def test_reject_ground_must_be_known():
    with pytest.raises(GuardRefused) as exc:
        decide(S.TRIAGED, A.REJECT, reason="重复", payload={"ground": "boring"})
    assert exc.value.refusal.code == "ground_invalid"
    assert decide(S.TRIAGED, A.REJECT, reason="重复", payload={"ground": "duplicate"})


@pytest.mark.parametrize("source", [S.INVESTIGATING, S.PROPOSING, S.EXECUTING])
def test_escalate_needs_a_route(source):
    with pytest.raises(GuardRefused) as exc:
        decide(source, A.ESCALATE, reason="顾客投诉到 12315")
    assert (exc.value.refusal.code, exc.value.refusal.field) == ("route_required", "route")
    with pytest.raises(GuardRefused) as exc:
        decide(source, A.ESCALATE, reason="顾客投诉到 12315", payload={"route": "moon"})
    assert exc.value.refusal.code == "route_invalid"
    assert set(exc.value.refusal.params["choices"]) == {r.value for r in EscalationRoute}
    for route in EscalationRoute:
        move = decide(source, A.ESCALATE, reason="升级", payload={"route": route.value})
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


# --- path_to ---------------------------------------------------------------------------


def _walk(actions: list[Action]) -> Status:
    status = S.RECEIVED
    for action in actions:
        status = decide(status, action, reason=GOOD_REASON, payload=GOOD_PAYLOAD).target
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
    },
)
actions = st.one_of(st.sampled_from(list(Action)), st.text(max_size=8))


@settings(max_examples=300)
@given(st.lists(st.tuples(actions, reasons, payloads), max_size=40))
def test_random_sequences_stay_inside_spec(steps):
    status = S.RECEIVED
    for action, reason, payload in steps:
        try:
            move = decide(status, action, reason=reason, payload=payload)
        except lifecycle.LifecycleError as exc:
            if isinstance(exc, UnknownAction):
                assert action not in {a.value for a in Action}
            continue
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
            move = decide(self.status, action, reason=reason, payload=payload)
        except ActionNotAllowed:
            assert expected is None
            return
        except GuardRefused:
            assert expected is not None  # a guard only refuses a move the table allows
            return
        assert move.target == expected
        self.status = move.target
        self.history.append(self.status)

    @invariant()
    def status_is_known(self):
        assert self.status in set(Status)

    @invariant()
    def terminal_allows_nothing(self):
        if self.status in TERMINAL:
            assert allowed_actions(self.status) == []


TestLifecycleMachine = LifecycleMachine.TestCase
TestLifecycleMachine.settings = settings(max_examples=150, stateful_step_count=30)
