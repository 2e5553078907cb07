"""SPEC §2 transcribed by hand, shared by the lifecycle tests. Deliberately not derived
from aftersales.disputes.lifecycle: it is what the code is checked against."""

from aftersales.disputes.lifecycle import Action, Status

S, A = Status, Action
OPEN_STATES = [
    S.RECEIVED,
    S.TRIAGED,
    S.INVESTIGATING,
    S.PROPOSING,
    S.EXECUTING,
    S.FOLLOW_UP,
    S.REOPENED,
    S.ESCALATED,
]

# SPEC §2, transcribed by hand: (state, action) -> next state. Anything absent is refused.
SPEC_MOVES: dict[tuple[Status, Action], Status] = {
    (S.RECEIVED, A.TRIAGE): S.TRIAGED,
    (S.TRIAGED, A.INVESTIGATE): S.INVESTIGATING,
    (S.TRIAGED, A.REJECT): S.REJECTED,
    (S.INVESTIGATING, A.PROPOSE): S.PROPOSING,
    (S.INVESTIGATING, A.ESCALATE): S.ESCALATED,
    (S.PROPOSING, A.REVISE): S.PROPOSING,
    (S.PROPOSING, A.SETTLE): S.EXECUTING,
    (S.PROPOSING, A.ESCALATE): S.ESCALATED,
    (S.EXECUTING, A.COMPLETE): S.FOLLOW_UP,
    (S.EXECUTING, A.ESCALATE): S.ESCALATED,
    # Issue 12: an after-sale order that cannot be carried out (inspection failed, item out
    # of stock, repair failed) sends the dispute back to mediation (退回调解).
    (S.EXECUTING, A.RENEGOTIATE): S.INVESTIGATING,
    # …and one open again after the dispute was completed (a refund bounced) resumes it.
    (S.FOLLOW_UP, A.RESUME): S.EXECUTING,
    (S.FOLLOW_UP, A.CLOSE): S.CLOSED,
    (S.FOLLOW_UP, A.REOPEN): S.REOPENED,
    # Issue 14: a closed dispute reopens on its customer's request (a message within 30
    # days of the close), by the team lead's decision; the dispute stays ended until then.
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.INVESTIGATE): S.INVESTIGATING,
    (S.ESCALATED, A.PROPOSE): S.PROPOSING,
    (S.ESCALATED, A.CLOSE): S.CLOSED,
    **{(s, A.WITHDRAW): S.WITHDRAWN for s in OPEN_STATES},
}
