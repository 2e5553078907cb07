"""The words of the dispute lifecycle (SPEC §2): states, actions, the workflows that own
actions, escalation routes and rejection grounds, with their labels. Pure Python; the
moves between them are in `lifecycle`, which re-exports all of these."""

from enum import StrEnum


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


class Owner(StrEnum):
    """The workflow that alone applies the actions it owns, so what it records (the
    proposal sent, the customer's acceptance and agreement, the escalation with legal's
    task and deadlines) can never be skipped. `via=None` is the generic door: staff
    through the actions endpoint or admin, for the actions nobody owns."""

    PROPOSAL_SEND = "proposal_send"  # sending a proposal: propose, revise
    CUSTOMER_ACCEPTANCE = "customer_acceptance"  # the customer accepts a proposal: settle
    ESCALATION_FILE = "escalation_file"  # filing an escalation: escalate
    # The customer's own door (the portal): owns nothing, but may withdraw, and is the
    # only door through which a withdrawal is confirmed by a portal click or a code.
    CUSTOMER_PORTAL = "customer_portal"


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
