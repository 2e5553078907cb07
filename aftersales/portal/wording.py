"""What the customer reads for our states: plain words, never our codes. Pure mappings,
no ORM; the portal's views and templates ask here."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from aftersales.disputes.states import Status
from aftersales.mediation.models import ProposalState

# The dispute's status, as the customer reads it.
STATUS_WORDS = {
    Status.RECEIVED: pgettext_lazy("customer status", "已受理"),
    Status.TRIAGED: pgettext_lazy("customer status", "已受理，正在安排专人处理"),
    Status.INVESTIGATING: pgettext_lazy("customer status", "处理中，正在核实情况"),
    Status.PROPOSING: pgettext_lazy("customer status", "处理中，正在拟定处理方案"),
    Status.EXECUTING: pgettext_lazy("customer status", "正在按约定办理"),
    Status.FOLLOW_UP: pgettext_lazy("customer status", "已办理完毕，请您评价"),
    Status.CLOSED: pgettext_lazy("customer status", "处理完成"),
    Status.REOPENED: pgettext_lazy("customer status", "重新处理中"),
    Status.ESCALATED: pgettext_lazy("customer status", "已转交平台或有关部门处理"),
    Status.REJECTED: pgettext_lazy("customer status", "未予受理"),
    Status.WITHDRAWN: pgettext_lazy("customer status", "您已撤回"),
}
AWAITING_ANSWER = pgettext_lazy("customer status", "等待您确认方案")


def customer_status(status: str, *, awaiting_answer: bool = False) -> str:
    """The dispute's status in the customer's words; a proposal waiting for their
    answer is what they need to know first."""
    if awaiting_answer and status == Status.PROPOSING:
        return str(AWAITING_ANSWER)
    try:
        return str(STATUS_WORDS[Status(status)])
    except ValueError:
        return str(pgettext_lazy("customer status", "处理中"))


# A proposal revision's state, as the customer reads it.
PROPOSAL_WORDS = {
    ProposalState.SENT: pgettext_lazy("customer proposal", "等待您答复"),
    ProposalState.ACCEPTED: pgettext_lazy("customer proposal", "您已接受，协议已生效"),
    ProposalState.REJECTED: pgettext_lazy("customer proposal", "您已拒绝，客服将与您联系"),
    ProposalState.COUNTERED: pgettext_lazy("customer proposal", "您已提出意见，等待商家答复"),
    ProposalState.SUPERSEDED: pgettext_lazy("customer proposal", "已有新的方案"),
    ProposalState.WITHDRAWN: pgettext_lazy("customer proposal", "商家已撤回该方案"),
}


def proposal_words(state: str) -> str:
    try:
        return str(PROPOSAL_WORDS[ProposalState(state)])
    except (KeyError, ValueError):
        return str(pgettext_lazy("customer proposal", "处理中"))


# The deadline the merchant owes, by SLA timer kind: what they will have done by then.
DEADLINE_WORDS = {
    "acknowledge": pgettext_lazy("customer deadline", "告知您已受理"),
    "first_contact": pgettext_lazy("customer deadline", "联系您"),
    "qc_report": pgettext_lazy("customer deadline", "完成商品检验"),
    "investigation": pgettext_lazy("customer deadline", "核实情况"),
    "proposal": pgettext_lazy("customer deadline", "给出处理方案"),
    "follow_up": pgettext_lazy("customer deadline", "回访您"),
    "seller_response": pgettext_lazy("customer deadline", "答复平台"),
    "platform_review": pgettext_lazy("customer deadline", "平台审核"),
}


def deadline_words(kind: str) -> str:
    return str(DEADLINE_WORDS.get(kind, pgettext_lazy("customer deadline", "答复您")))
