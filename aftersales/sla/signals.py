"""Which signals timers hear: derived from the timeline events intake and lifecycle
actions write, and from department tasks as they are created."""

from collections.abc import Iterable

from aftersales.disputes.lifecycle import Action, EscalationRoute
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import DisputeKind

from .policy import PAUSE_SIGNAL, RESUME_SIGNAL

# The event kinds that reach `timers_on_events` today: intake's events, lifecycle
# actions, and the pause/resume events the SLA services write themselves. Others
# (assignment, evidence, contact_revealed, reclassified) are not hooked.
# Codes, not the kind classes: triage (classified, routed, group_flagged) and mediation
# (the escalation milestones) register theirs, and the SLA may import neither
# (tests/sla check that every code here is a registered kind).
HOOKED_EVENT_KINDS = (
    DisputeKind.INTAKE.value,
    "classified",
    "routed",
    DisputeKind.DUPLICATE_FLAGGED.value,
    "group_flagged",
    DisputeKind.ACKNOWLEDGEMENT.value,
)
ESCALATION_EVENT_KINDS = ("escalation_filed", "escalation_accepted", "escalation_concluded")

EMITTED: frozenset[str] = frozenset(
    [f"event:{k}" for k in HOOKED_EVENT_KINDS]
    + [f"action:{a.value}" for a in Action]
    + [f"action:{Action.ESCALATE.value}:{r.value}" for r in EscalationRoute]
    + ["task:*:created", "task:*:done", PAUSE_SIGNAL, RESUME_SIGNAL]
    # Escalation milestones, per route (aftersales.mediation.escalation).
    + [f"event:{k}:{r.value}" for k in ESCALATION_EVENT_KINDS for r in EscalationRoute]
)


def signals_of(event: Event) -> list[str]:
    if event.kind == DisputeKind.ACTION:
        signals = [f"action:{event.action}"]
        route = (event.payload or {}).get("route")
        if route:
            signals.append(f"action:{event.action}:{route}")
        return signals
    signals = [f"event:{event.kind}"]
    route = (event.payload or {}).get("route")
    if route:  # an escalation's milestones: event:escalation_filed:regulator
        signals.append(f"event:{event.kind}:{route}")
    return signals


def task_signals(kinds: Iterable[str], what: str = "created") -> list[str]:
    return [f"task:{kind}:{what}" for kind in kinds]
