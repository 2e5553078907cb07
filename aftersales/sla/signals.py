"""Which signals timers hear: derived from the timeline events intake and lifecycle
actions write, and from department tasks as they are created. An event whose payload
names a `subject` (an after-sale order, "aftersale:<id>") starts and stops that
subject's timers only (`subject_of`)."""

from collections.abc import Iterable

from aftersales.disputes.lifecycle import Action, EscalationRoute
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import DisputeKind

from .policy import PAUSE_SIGNAL, RESUME_SIGNAL

# The event kinds that reach `timers_on_events` today: intake's events, lifecycle
# actions, a contact with the customer recorded in the contact log (the first one stops
# the first-contact clock), and the pause/resume events the SLA services write
# themselves. Others (assignment, evidence, contact_revealed, internal_note,
# reclassified) are not hooked.
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
    DisputeKind.CUSTOMER_CONTACTED.value,
)
ESCALATION_EVENT_KINDS = ("escalation_filed", "escalation_accepted", "escalation_concluded")
# The investigation's milestones the SLA times (aftersales.mediation.investigation): QC
# told the goods or photos are ready (the QC report's hour), the investigation concluded
# (the proposal's two hours).
INVESTIGATION_EVENT_KINDS = ("qc_notified", "investigation_concluded")
# After-sale orders (aftersales.fulfilment, above the SLA): every state an order enters
# is an `aftersale_state` event with route = the state entered, so timers hear
# event:aftersale_state:<state>; the 运费险 payout expected and recorded.
AFTERSALE_STATE_KIND = "aftersale_state"
AFTERSALE_STATES = (
    "awaiting_finance",
    "awaiting_payout",
    "awaiting_customer_payment",
    "awaiting_return_address",
    "awaiting_return",
    "return_shipped",
    "received",
    "repairing",
    "awaiting_shipment",
    "shipped",
    "awaiting_issue",
    "done",
    "cancelled",
    "failed",
)
AFTERSALE_EVENT_KINDS = ("shipping_insurance_expected", "shipping_insurance_paid")

EMITTED: frozenset[str] = frozenset(
    [f"event:{k}" for k in HOOKED_EVENT_KINDS]
    + [f"action:{a.value}" for a in Action]
    + [f"action:{Action.ESCALATE.value}:{r.value}" for r in EscalationRoute]
    + ["task:*:created", "task:*:done", PAUSE_SIGNAL, RESUME_SIGNAL]
    # Escalation milestones, per route (aftersales.mediation.escalation).
    + [f"event:{k}:{r.value}" for k in ESCALATION_EVENT_KINDS for r in EscalationRoute]
    + [f"event:{k}" for k in (*INVESTIGATION_EVENT_KINDS, *AFTERSALE_EVENT_KINDS)]
    + [f"event:{AFTERSALE_STATE_KIND}"]
    + [f"event:{AFTERSALE_STATE_KIND}:{state}" for state in AFTERSALE_STATES]
)


def signals_of(event: Event) -> list[str]:
    if event.kind == DisputeKind.ACTION:
        signals = [f"action:{event.action}"]
        route = (event.payload or {}).get("route")
        if route:
            signals.append(f"action:{event.action}:{route}")
        if event.action == Action.RENEGOTIATE:
            # Back to mediation (an after-sale order failed): the investigation starts
            # again, so its clocks start as on `investigate`.
            signals.append(f"action:{Action.INVESTIGATE.value}")
        return signals
    signals = [f"event:{event.kind}"]
    route = (event.payload or {}).get("route")
    if route:  # an escalation's milestones: event:escalation_filed:regulator
        signals.append(f"event:{event.kind}:{route}")
    return signals


def subject_of(event: Event) -> str:
    """What on the dispute the event is about: "" (the dispute) or its payload's
    "subject" (an after-sale order, "aftersale:<id>")."""
    subject = (event.payload or {}).get("subject")
    return str(subject) if subject else ""


def task_signals(kinds: Iterable[str], what: str = "created") -> list[str]:
    return [f"task:{kind}:{what}" for kind in kinds]
