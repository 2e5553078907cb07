"""The words of the dispute lifecycle (SPEC §2): states, actions, the workflows that own
actions, escalation routes and rejection grounds. Labels are `gettext_lazy` texts on the
choices (`Status.RECEIVED.label`), shown in the reader's language. No ORM; the moves
between them are in `lifecycle`, which re-exports all of these."""

from enum import StrEnum

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy


class Status(TextChoices):
    RECEIVED = "received", pgettext_lazy("dispute status", "受理")
    TRIAGED = "triaged", pgettext_lazy("dispute status", "已分类")
    INVESTIGATING = "investigating", pgettext_lazy("dispute status", "调查核实")
    PROPOSING = "proposing", pgettext_lazy("dispute status", "调解协商")
    EXECUTING = "executing", pgettext_lazy("dispute status", "执行")
    FOLLOW_UP = "follow_up", pgettext_lazy("dispute status", "回访")
    CLOSED = "closed", pgettext_lazy("dispute status", "结案")
    REOPENED = "reopened", pgettext_lazy("dispute status", "重新打开")
    ESCALATED = "escalated", pgettext_lazy("dispute status", "升级处理")
    REJECTED = "rejected", pgettext_lazy("dispute status", "不予受理")
    WITHDRAWN = "withdrawn", pgettext_lazy("dispute status", "顾客撤回")


TERMINAL: frozenset[Status] = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
OPEN: frozenset[Status] = frozenset(Status) - TERMINAL


class EscalationRoute(TextChoices):
    """Where a dispute goes outside the company (SPEC §9)."""

    PLATFORM = "platform", gettext_lazy("平台介入")
    CONSUMER_ASSOCIATION = "consumer_association", gettext_lazy("消协调解")
    REGULATOR = "regulator", gettext_lazy("行政投诉（12315）")
    ARBITRATION = "arbitration", gettext_lazy("仲裁")
    LAWSUIT = "lawsuit", gettext_lazy("诉讼")


class RejectionGround(StrEnum):
    INVALID = "invalid"  # 无效投诉
    DUPLICATE = "duplicate"  # 重复投诉
    FAKE = "fake"  # 虚假投诉
    MISTAKEN = "mistaken"  # 误投


class Action(TextChoices):
    TRIAGE = "triage", pgettext_lazy("lifecycle action", "完成分类")
    INVESTIGATE = "investigate", pgettext_lazy("lifecycle action", "开始调查核实")
    REJECT = "reject", pgettext_lazy("lifecycle action", "不予受理")
    PROPOSE = "propose", pgettext_lazy("lifecycle action", "提出调解方案")
    REVISE = "revise", pgettext_lazy("lifecycle action", "修改调解方案")
    SETTLE = "settle", pgettext_lazy("lifecycle action", "达成调解协议")
    ESCALATE = "escalate", pgettext_lazy("lifecycle action", "升级处理")
    COMPLETE = "complete", pgettext_lazy("lifecycle action", "执行完毕")
    CLOSE = "close", pgettext_lazy("lifecycle action", "结案")
    REOPEN = "reopen", pgettext_lazy("lifecycle action", "重新打开")
    RENEGOTIATE = "renegotiate", pgettext_lazy("lifecycle action", "退回调解")
    RESUME = "resume", pgettext_lazy("lifecycle action", "恢复执行")
    WITHDRAW = "withdraw", pgettext_lazy("lifecycle action", "顾客撤回")


class Owner(StrEnum):
    """The workflow that alone applies the actions it owns, so what it records (the
    proposal sent, the customer's acceptance and agreement, the escalation with legal's
    task and deadlines, the after-sale order that could not be carried out) can never be
    skipped. `via=None` is the generic door: staff through the actions endpoint or
    admin, for the actions nobody owns."""

    PROPOSAL_SEND = "proposal_send"  # sending a proposal: propose, revise
    CUSTOMER_ACCEPTANCE = "customer_acceptance"  # the customer accepts a proposal: settle
    ESCALATION_FILE = "escalation_file"  # filing an escalation: escalate
    # An after-sale order that cannot be carried out (inspection failed, exchange item out
    # of stock, repair failed) sends the dispute back to mediation: renegotiate; one that
    # opens again after the dispute was completed (a refund bounced) resumes execution.
    FULFILMENT = "fulfilment"
    # The customer's own door (the portal): owns nothing, but may withdraw, and is the
    # only door through which a withdrawal is confirmed by a portal click or a code.
    CUSTOMER_PORTAL = "customer_portal"
