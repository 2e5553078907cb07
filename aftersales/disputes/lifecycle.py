"""The dispute lifecycle of SPEC §2 as data: states, actions, allowed moves, guards.

Pure Python, no ORM. `decide()` is the only judge of a move; the service
`disputes.services.dispute_apply` is the only code that applies one.

received ─► triaged ─► investigating ─► proposing ─► executing ─► follow_up ─► closed
  triaged ─► rejected;  follow_up ─► reopened ─► investigating
  executing ─► investigating (renegotiate 退回调解: an after-sale order failed)
  follow_up ─► executing (resume 恢复执行: an after-sale order open again, a refund bounced)
  investigating | proposing | executing ─► escalated ─► proposing | closed
  any open state ─► withdrawn;  proposing ─► proposing (revise)
  investigating ─► proposing on a complex or major dispute: after a case meeting and a
  responsibility finding (a guard on the record's facts, CaseFacts)

Each action has a door (`Owner`): propose and revise belong to sending a proposal, settle
to the customer's acceptance, escalate to filing an escalation, renegotiate to fulfilment
(an after-sale order that cannot be carried out: inspection failed, exchange item out of
stock, repair failed); the others are generic (the actions endpoint, admin). `decide`
refuses an action asked for at the wrong door.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from . import withdrawal

# The vocabulary lives in `states`; it is re-exported here, where its users import it.
from .states import OPEN as OPEN
from .states import TERMINAL as TERMINAL
from .states import Action as Action
from .states import EscalationRoute as EscalationRoute
from .states import Owner as Owner
from .states import RejectionGround as RejectionGround
from .states import Status as Status


@dataclass(frozen=True)
class Refusal:
    """Why a guard refused: a stable code, the field at fault, and parameters."""

    code: str
    field: str | None = None
    params: Mapping[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    """A move as its guards see it: from where, why, with what, through which door, and
    when (`at`: the moment it is applied; `received_at`: when the dispute came in; either
    may be unknown to a pure caller, and the comparisons with it are then not made)."""

    source: Status
    reason: str
    payload: Mapping[str, Any]
    via: Owner | None = None
    at: dt.datetime | None = None
    received_at: dt.datetime | None = None


Guard = Callable[[Attempt], Refusal | None]


@dataclass(frozen=True)
class CaseFacts:
    """What the dispute's record shows, for guards that judge more than the action's own
    payload. `dispute_apply` gathers them from the timeline; callers without a record
    (imported histories, demo data) pass none, and those guards are not asked."""

    severity: str = ""
    case_meeting_held: bool = False
    responsibility_determined: bool = False
    # The customer asked to reopen the closed dispute and nobody declined it since.
    reopen_requested: bool = False


FactGuard = Callable[[Status, CaseFacts], Refusal | None]


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: stays in the same state (the proposing loop)
    needs_reason: bool = False
    guards: tuple[Guard, ...] = ()
    fact_guards: tuple[FactGuard, ...] = ()
    owner: Owner | None = None  # the workflow that alone applies it; None: generic
    customer_door: bool = False  # a generic action the customer's portal may apply too

    def target_from(self, source: Status) -> Status:
        return self.target or source


def _escalation_route(attempt: Attempt) -> Refusal | None:
    route = attempt.payload.get("route")
    if route is None:
        return Refusal("route_required", "route", {"choices": [r.value for r in EscalationRoute]})
    if route not in EscalationRoute.__members__.values():
        return Refusal("route_invalid", "route", {"choices": [r.value for r in EscalationRoute]})
    return None


def _rejection_ground(attempt: Attempt) -> Refusal | None:
    ground = attempt.payload.get("ground", RejectionGround.INVALID.value)
    if ground not in RejectionGround.__members__.values():
        return Refusal("ground_invalid", "ground", {"choices": [g.value for g in RejectionGround]})
    return None


def _closing_record(attempt: Attempt) -> Refusal | None:
    """SPEC §2: closing needs the customer's confirmation or the follow-up visit's record;
    an escalated case closes on the outside body's outcome, given as the reason."""
    payload = attempt.payload
    if attempt.source == Status.ESCALATED:
        return None if attempt.reason else Refusal("reason_required", "reason")
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


# The timeline kinds of a customer's request to reopen a closed dispute and of its refusal
# (recorded by aftersales.intake.customer_messages, named here by code).
REOPEN_REQUESTED = "reopen_requested"
REOPEN_DECLINED = "reopen_declined"


def reopen_requested(answers: Iterable[tuple[str, dt.datetime]], closed_at) -> bool:
    """Whether a request to reopen waits for the team lead: among the requests and
    refusals (kind, time) since the dispute was closed, in time order, the last is a
    request."""
    since = [
        kind
        for kind, at in answers
        if kind in (REOPEN_REQUESTED, REOPEN_DECLINED) and (closed_at is None or at >= closed_at)
    ]
    return bool(since) and since[-1] == REOPEN_REQUESTED


def offered(status: Status, *, reopen_asked: bool = False) -> list[Action]:
    """The actions a dispute in `status` offers: all the lifecycle allows, except that a
    closed one offers 重新打开 only while its customer's request waits (`reopen_asked`)."""
    return [
        a
        for a in allowed_actions(status)
        if not (status == Status.CLOSED and a == Action.REOPEN and not reopen_asked)
    ]


def _reopen_requested(source: Status, facts: CaseFacts) -> Refusal | None:
    """Issue 14: a closed dispute reopens when its customer asks within 30 days of the
    close (a message through the portal) and the team lead agrees; not on staff's own
    initiative, and not after the request was declined."""
    if source == Status.CLOSED and not facts.reopen_requested:
        return Refusal("reopen_not_requested", "action")
    return None


def _withdrawal_confirmed(attempt: Attempt) -> Refusal | None:
    """A withdrawal carries the customer's own confirmation (`disputes.withdrawal`): by
    portal click or code through the customer's door, else a staff note with the channel
    and a time between intake and now."""
    problem = withdrawal.confirmation_problem(
        attempt.payload.get("confirmation"),
        customer_door=attempt.via == Owner.CUSTOMER_PORTAL,
        at=attempt.at,
        received_at=attempt.received_at,
    )
    return None if problem is None else Refusal(problem.code, problem.field, problem.params)


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
            owner=Owner.PROPOSAL_SEND,
        ),
        Transition(
            Action.REVISE,
            frozenset({Status.PROPOSING}),
            None,
            needs_reason=True,
            owner=Owner.PROPOSAL_SEND,
        ),
        Transition(
            Action.SETTLE,
            frozenset({Status.PROPOSING}),
            Status.EXECUTING,
            owner=Owner.CUSTOMER_ACCEPTANCE,
        ),
        Transition(
            Action.ESCALATE,
            frozenset({Status.INVESTIGATING, Status.PROPOSING, Status.EXECUTING}),
            Status.ESCALATED,
            needs_reason=True,
            guards=(_escalation_route,),
            owner=Owner.ESCALATION_FILE,
        ),
        Transition(Action.COMPLETE, frozenset({Status.EXECUTING}), Status.FOLLOW_UP),
        Transition(
            Action.CLOSE,
            frozenset({Status.FOLLOW_UP, Status.ESCALATED}),
            Status.CLOSED,
            guards=(_closing_record,),
        ),
        Transition(
            Action.REOPEN,
            frozenset({Status.FOLLOW_UP, Status.CLOSED}),
            Status.REOPENED,
            needs_reason=True,
            fact_guards=(_reopen_requested,),
        ),
        Transition(
            Action.RENEGOTIATE,
            frozenset({Status.EXECUTING}),
            Status.INVESTIGATING,
            needs_reason=True,
            owner=Owner.FULFILMENT,
        ),
        Transition(
            Action.RESUME,
            frozenset({Status.FOLLOW_UP}),
            Status.EXECUTING,
            needs_reason=True,
            owner=Owner.FULFILMENT,
        ),
        Transition(
            Action.WITHDRAW,
            OPEN,
            Status.WITHDRAWN,
            needs_reason=True,
            guards=(_withdrawal_confirmed,),
            customer_door=True,
        ),
    )
}

# The one place that says which actions any staff door may apply: those nobody owns.
# (complete and close stay generic: fulfilment and the follow-up visit apply them through
# this door too, as staff do on the customer's confirmation.)
GENERIC: frozenset[Action] = frozenset(a for a, t in TRANSITIONS.items() if t.owner is None)


def owner_of(action: Action | str) -> Owner | None:
    """The workflow that alone applies `action`; None for a generic action."""
    return TRANSITIONS[Action(action)].owner


def doors(action: Action | str) -> frozenset[Owner | None]:
    """Through which doors `action` may come: its owner alone, or for a generic action
    the staff's generic door (None) and, where the table says so, the customer's portal."""
    transition = TRANSITIONS[Action(action)]
    if transition.owner is not None:
        return frozenset({transition.owner})
    return frozenset({None, Owner.CUSTOMER_PORTAL} if transition.customer_door else {None})


def plain_actions() -> list[Action]:
    """Generic actions that need no reason, payload or record: the only ones a list of
    disputes may be moved by at once (admin's bulk actions)."""
    return [
        a
        for a, t in TRANSITIONS.items()
        if t.owner is None
        and not t.customer_door
        and not t.needs_reason
        and not t.guards
        and not t.fact_guards
    ]


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


class ActionOwned(LifecycleError):
    """An action asked for at a door that may not apply it: an owned action anywhere but
    through its owner, or a generic one through a workflow that does not own it."""

    def __init__(self, action: Action, owner: Owner | None, via: Owner | None):
        super().__init__(f"{action} is applied via {owner or 'the actions endpoint'}, not {via}")
        self.action, self.owner, self.via = action, owner, via


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


def check_door(action: Action, via: Owner | None) -> None:
    """Refuse `action` asked for through `via` unless that is one of its doors."""
    if via not in doors(action):
        raise ActionOwned(action, owner_of(action), via)


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
    via: Owner | None = None,
    at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
) -> Move:
    """Judge one move. Returns it, or raises a LifecycleError saying why not. `via`: the
    door it comes through (its owner; None for the generic door), checked first: an
    owned action is refused elsewhere whatever the state. `facts`: the record's facts,
    for the guards that need them (see `needs_facts`); without them those guards are not
    asked. `at`, `received_at`: see `Attempt`."""
    status = Status(status)
    action = parse_action(action) if not isinstance(action, Action) else action
    check_door(action, via)
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise ActionNotAllowed(action, status, allowed_actions(status))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise GuardRefused(action, Refusal("reason_required", "reason"))
    attempt = Attempt(status, reason, payload or {}, via, at, received_at)
    for guard in transition.guards:
        refusal = guard(attempt)
        if refusal:
            raise GuardRefused(action, refusal)
    if facts is not None:
        for fact_guard in transition.fact_guards:
            refusal = fact_guard(status, facts)
            if refusal:
                raise GuardRefused(action, refusal)
    return Move(action, status, transition.target_from(status))


_A = Action
DETOURS: frozenset[Action] = frozenset(
    {_A.ESCALATE, _A.WITHDRAW, _A.REJECT, _A.REOPEN, _A.RENEGOTIATE, _A.RESUME, _A.REVISE}
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
            if status in TERMINAL:  # ended: a closed dispute reopens only when asked
                continue
            for action in allowed_actions(status):
                nxt = TRANSITIONS[action].target_from(status)
                if action not in avoid and nxt not in seen:
                    seen.add(nxt)
                    frontier.append((nxt, [*path, action]))
    raise ValueError(f"{target} is unreachable")  # pragma: no cover - every state is reachable
