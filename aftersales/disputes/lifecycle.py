"""The dispute lifecycle of SPEC §2 as data: states, actions, allowed moves, guards.

Pure Python, no ORM. `decide()` is the only judge of a move; the service
`disputes.services.dispute_apply` is the only code that applies one.

received ─► triaged ─► investigating ─► proposing ─► executing ─► follow_up ─► closed
  triaged ─► rejected;  follow_up ─► reopened ─► investigating
  investigating | proposing | executing ─► escalated ─► proposing | closed
  any open state ─► withdrawn;  proposing ─► proposing (revise)
  investigating ─► proposing on a complex or major dispute: after a case meeting and a
  responsibility finding (a guard on the record's facts, CaseFacts)
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    INVESTIGATING = "investigating"
    PROPOSING = "proposing"
    EXECUTING = "executing"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "受理",
    Status.TRIAGED: "已分类",
    Status.INVESTIGATING: "调查核实",
    Status.PROPOSING: "调解协商",
    Status.EXECUTING: "执行",
    Status.FOLLOW_UP: "回访",
    Status.CLOSED: "结案",
    Status.REOPENED: "重新打开",
    Status.ESCALATED: "升级处理",
    Status.REJECTED: "不予受理",
    Status.WITHDRAWN: "顾客撤回",
}
STATUS_LABELS_EN: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.TRIAGED: "Triaged",
    Status.INVESTIGATING: "Investigating",
    Status.PROPOSING: "Proposing",
    Status.EXECUTING: "Executing",
    Status.FOLLOW_UP: "Follow-up",
    Status.CLOSED: "Closed",
    Status.REOPENED: "Reopened",
    Status.ESCALATED: "Escalated",
    Status.REJECTED: "Rejected",
    Status.WITHDRAWN: "Withdrawn",
}

TERMINAL: frozenset[Status] = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
OPEN: frozenset[Status] = frozenset(Status) - TERMINAL


class EscalationRoute(StrEnum):
    """Where a dispute goes outside the company (SPEC §9)."""

    PLATFORM = "platform"  # 平台介入
    CONSUMER_ASSOCIATION = "consumer_association"  # 消协调解
    REGULATOR = "regulator"  # 市场监管 / 12315 行政投诉
    ARBITRATION = "arbitration"  # 仲裁
    LAWSUIT = "lawsuit"  # 诉讼


ESCALATION_ROUTE_LABELS: dict[EscalationRoute, str] = {
    EscalationRoute.PLATFORM: "平台介入",
    EscalationRoute.CONSUMER_ASSOCIATION: "消协调解",
    EscalationRoute.REGULATOR: "行政投诉（12315）",
    EscalationRoute.ARBITRATION: "仲裁",
    EscalationRoute.LAWSUIT: "诉讼",
}


class RejectionGround(StrEnum):
    INVALID = "invalid"  # 无效投诉
    DUPLICATE = "duplicate"  # 重复投诉
    FAKE = "fake"  # 虚假投诉
    MISTAKEN = "mistaken"  # 误投


class Action(StrEnum):
    TRIAGE = "triage"
    INVESTIGATE = "investigate"
    REJECT = "reject"
    PROPOSE = "propose"
    REVISE = "revise"
    SETTLE = "settle"
    ESCALATE = "escalate"
    COMPLETE = "complete"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"


ACTION_LABELS: dict[Action, str] = {
    Action.TRIAGE: "完成分类",
    Action.INVESTIGATE: "开始调查核实",
    Action.REJECT: "不予受理",
    Action.PROPOSE: "提出调解方案",
    Action.REVISE: "修改调解方案",
    Action.SETTLE: "达成调解协议",
    Action.ESCALATE: "升级处理",
    Action.COMPLETE: "执行完毕",
    Action.CLOSE: "结案",
    Action.REOPEN: "重新打开",
    Action.WITHDRAW: "顾客撤回",
}


@dataclass(frozen=True)
class Refusal:
    """Why a guard refused: a stable code, the field at fault, and parameters."""

    code: str
    field: str | None = None
    params: Mapping[str, Any] = dc_field(default_factory=dict)


Guard = Callable[[Status, str, Mapping[str, Any]], Refusal | None]


@dataclass(frozen=True)
class CaseFacts:
    """What the dispute's record shows, for guards that judge more than the action's own
    payload. `dispute_apply` gathers them from the timeline; callers without a record
    (imported histories, demo data) pass none, and those guards are not asked."""

    severity: str = ""
    case_meeting_held: bool = False
    responsibility_determined: bool = False


FactGuard = Callable[[Status, CaseFacts], Refusal | None]


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: stays in the same state (the proposing loop)
    needs_reason: bool = False
    guards: tuple[Guard, ...] = ()
    fact_guards: tuple[FactGuard, ...] = ()

    def target_from(self, source: Status) -> Status:
        return self.target or source


def _escalation_route(_: Status, __: str, payload: Mapping[str, Any]) -> Refusal | None:
    route = payload.get("route")
    if route is None:
        return Refusal("route_required", "route", {"choices": [r.value for r in EscalationRoute]})
    if route not in EscalationRoute.__members__.values():
        return Refusal("route_invalid", "route", {"choices": [r.value for r in EscalationRoute]})
    return None


def _rejection_ground(_: Status, __: str, payload: Mapping[str, Any]) -> Refusal | None:
    ground = payload.get("ground", RejectionGround.INVALID.value)
    if ground not in RejectionGround.__members__.values():
        return Refusal("ground_invalid", "ground", {"choices": [g.value for g in RejectionGround]})
    return None


def _closing_record(source: Status, reason: str, payload: Mapping[str, Any]) -> Refusal | None:
    """SPEC §2: closing needs the customer's confirmation or the follow-up visit's record;
    an escalated case closes on the outside body's outcome, given as the reason."""
    if source == Status.ESCALATED:
        return None if reason else Refusal("reason_required", "reason")
    if payload.get("customer_confirmed") is True:
        return None
    satisfaction = payload.get("satisfaction")
    if satisfaction is None:
        return Refusal("closing_record_required", "customer_confirmed")
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int):
        return Refusal("satisfaction_invalid", "satisfaction")
    if not 1 <= satisfaction <= 5:
        return Refusal("satisfaction_invalid", "satisfaction")
    if payload.get("resolved") is not True or satisfaction <= 2:
        return Refusal("follow_up_unsatisfied", "satisfaction")
    return None


# Severities (disputes.taxonomy.Severity) whose investigation the mediation team runs
# together: a case meeting first, then a proposal on established responsibility.
MEETING_SEVERITIES: frozenset[str] = frozenset({"complex", "major"})


def missing_before_proposal(facts: CaseFacts) -> list[str]:
    """What a dispute of this severity still lacks before its investigation may end in a
    proposal: "case_meeting", "responsibility" (empty when nothing is required)."""
    if facts.severity not in MEETING_SEVERITIES:
        return []
    return [
        what
        for what, done in (
            ("case_meeting", facts.case_meeting_held),
            ("responsibility", facts.responsibility_determined),
        )
        if not done
    ]


def _investigation_concluded(source: Status, facts: CaseFacts) -> Refusal | None:
    """Seeds (直播带货售后纠纷调解细则 三.2–3): for a complex or major dispute the mediation
    team meets at once and investigates; the proposal follows the investigation's result,
    on clear facts and responsibility. So it leaves investigation for a proposal only
    with a case meeting and a responsibility finding on record. (From `escalated` the
    outside body's outcome is the basis instead.)"""
    if source != Status.INVESTIGATING:
        return None
    missing = missing_before_proposal(facts)
    if missing:
        return Refusal(
            "investigation_incomplete", None, {"missing": missing, "severity": facts.severity}
        )
    return None


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.TRIAGE, frozenset({Status.RECEIVED}), Status.TRIAGED),
        Transition(
            Action.INVESTIGATE,
            frozenset({Status.TRIAGED, Status.REOPENED}),
            Status.INVESTIGATING,
        ),
        Transition(
            Action.REJECT,
            frozenset({Status.TRIAGED}),
            Status.REJECTED,
            needs_reason=True,
            guards=(_rejection_ground,),
        ),
        Transition(
            Action.PROPOSE,
            frozenset({Status.INVESTIGATING, Status.ESCALATED}),
            Status.PROPOSING,
            fact_guards=(_investigation_concluded,),
        ),
        Transition(Action.REVISE, frozenset({Status.PROPOSING}), None, needs_reason=True),
        Transition(Action.SETTLE, frozenset({Status.PROPOSING}), Status.EXECUTING),
        Transition(
            Action.ESCALATE,
            frozenset({Status.INVESTIGATING, Status.PROPOSING, Status.EXECUTING}),
            Status.ESCALATED,
            needs_reason=True,
            guards=(_escalation_route,),
        ),
        Transition(Action.COMPLETE, frozenset({Status.EXECUTING}), Status.FOLLOW_UP),
        Transition(
            Action.CLOSE,
            frozenset({Status.FOLLOW_UP, Status.ESCALATED}),
            Status.CLOSED,
            guards=(_closing_record,),
        ),
        Transition(
            Action.REOPEN, frozenset({Status.FOLLOW_UP}), Status.REOPENED, needs_reason=True
        ),
        Transition(Action.WITHDRAW, OPEN, Status.WITHDRAWN),
    )
}


class LifecycleError(Exception):
    """A move the lifecycle refuses. Carries codes, not prose: the caller translates."""


class UnknownAction(LifecycleError):
    def __init__(self, action: str):
        super().__init__(action)
        self.action = action


class ActionNotAllowed(LifecycleError):
    def __init__(self, action: Action, status: Status, allowed: list[Action]):
        super().__init__(f"{action} not allowed in {status}; allowed: {allowed}")
        self.action, self.status, self.allowed = action, status, allowed


class GuardRefused(LifecycleError):
    def __init__(self, action: Action, refusal: Refusal):
        super().__init__(f"{action}: {refusal.code}")
        self.action, self.refusal = action, refusal


def allowed_actions(status: Status | str) -> list[Action]:
    status = Status(status)
    return [a for a, t in TRANSITIONS.items() if status in t.sources]


def needs_facts(action: Action) -> bool:
    """Whether judging `action` asks for the record's facts (CaseFacts)."""
    return bool(TRANSITIONS[action].fact_guards)


def parse_action(action: str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise UnknownAction(action) from None


@dataclass(frozen=True)
class Move:
    action: Action
    source: Status
    target: Status


def decide(
    status: Status | str,
    action: Action | str,
    *,
    reason: str = "",
    payload: Mapping[str, Any] | None = None,
    facts: CaseFacts | None = None,
) -> Move:
    """Judge one move. Returns it, or raises a LifecycleError saying why not. `facts`:
    the record's facts, for the guards that need them (see `needs_facts`); without
    them those guards are not asked."""
    status = Status(status)
    action = parse_action(action) if not isinstance(action, Action) else action
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise ActionNotAllowed(action, status, allowed_actions(status))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise GuardRefused(action, Refusal("reason_required", "reason"))
    for guard in transition.guards:
        refusal = guard(status, reason, payload or {})
        if refusal:
            raise GuardRefused(action, refusal)
    if facts is not None:
        for fact_guard in transition.fact_guards:
            refusal = fact_guard(status, facts)
            if refusal:
                raise GuardRefused(action, refusal)
    return Move(action, status, transition.target_from(status))


DETOURS: frozenset[Action] = frozenset(
    {Action.ESCALATE, Action.WITHDRAW, Action.REJECT, Action.REOPEN, Action.REVISE}
)


def path_to(target: Status) -> list[Action]:
    """The usual sequence of actions from `received` to `target`: along the main line
    where it gets there, through a detour (escalation, rejection, …) only where it must.
    Used to generate realistic histories for demo data and tests."""
    for avoid in (DETOURS, frozenset()):
        frontier: list[tuple[Status, list[Action]]] = [(Status.RECEIVED, [])]
        seen = {Status.RECEIVED}
        while frontier:
            status, path = frontier.pop(0)
            if status == target:
                return path
            for action in allowed_actions(status):
                nxt = TRANSITIONS[action].target_from(status)
                if action not in avoid and nxt not in seen:
                    seen.add(nxt)
                    frontier.append((nxt, [*path, action]))
    raise ValueError(f"{target} is unreachable")  # pragma: no cover - every state is reachable
