"""Which signals timers hear: derived from the timeline events intake and lifecycle
actions write, and from department tasks as they are created."""

from collections.abc import Iterable

from aftersales.disputes.lifecycle import Action, EscalationRoute
from aftersales.disputes.models import Event

from .policy import PAUSE_SIGNAL, RESUME_SIGNAL

# The event kinds that reach `timers_on_events` today: intake's events, lifecycle
# actions, and the pause/resume events the SLA services write themselves. Others
# (assignment, evidence, contact_revealed, reclassified) are not hooked.
HOOKED_EVENT_KINDS = (
    Event.Kind.INTAKE,
    Event.Kind.CLASSIFIED,
    Event.Kind.ROUTED,
    Event.Kind.DUPLICATE_FLAGGED,
    Event.Kind.GROUP_FLAGGED,
    Event.Kind.ACKNOWLEDGEMENT,
)

EMITTED: frozenset[str] = frozenset(
    [f"event:{k.value}" for k in HOOKED_EVENT_KINDS]
    + [f"action:{a.value}" for a in Action]
    + [f"action:{Action.ESCALATE.value}:{r.value}" for r in EscalationRoute]
    + ["task:*:created", "task:*:done", PAUSE_SIGNAL, RESUME_SIGNAL]
    # Escalation milestones, per route (aftersales.mediation.escalation).
    + [
        f"event:{k.value}:{r.value}"
        for k in (
            Event.Kind.ESCALATION_FILED,
            Event.Kind.ESCALATION_ACCEPTED,
            Event.Kind.ESCALATION_CONCLUDED,
        )
        for r in EscalationRoute
    ]
)


def signals_of(event: Event) -> list[str]:
    if event.kind == Event.Kind.ACTION:
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
