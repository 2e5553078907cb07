"""Follow-up's timeline events: each follow-up visit record (reached or not, the answers,
what they did to the dispute) and the closure summary written when a dispute closes
(outcome, money by after-sale type, days open, deadlines missed). The texts the system
writes on the lifecycle actions it applies are stored as codes (`reason_template`), so
each reader sees them in their own language."""

from django.db.models import TextChoices
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from aftersales.disputes.timeline_registry import event_kinds, reason_template


@event_kinds
class FollowUpKind(TextChoices):
    FOLLOW_UP_DUE = "follow_up_due", pgettext_lazy("timeline event", "待回访")
    FOLLOW_UP_RECORDED = "follow_up_recorded", pgettext_lazy("timeline event", "回访记录")
    FOLLOW_UP_CANCELLED = "follow_up_cancelled", pgettext_lazy("timeline event", "取消回访")
    CLOSURE_SUMMARY = "closure_summary", pgettext_lazy("timeline event", "结案小结")


# Why an answered visit did not close the dispute, stored as codes ("unresolved,…").
PROBLEMS = {
    "unresolved": gettext_lazy("问题未解决"),
    "refund_not_arrived": gettext_lazy("退款未到账"),
    "unsatisfied": gettext_lazy("顾客不满意"),
}


def problems_text(codes: str) -> str:
    """The stored codes in the reader's language."""
    joiner = gettext("、")  # the list separator: "、" in Chinese, ", " in English
    return joiner.join(str(PROBLEMS.get(code, code)) for code in str(codes).split(",") if code)


SATISFIED = reason_template(
    "followup.satisfied", gettext_lazy("回访：问题已解决，顾客满意（%(satisfaction)s 分）")
)
UNSATISFIED = reason_template(
    "followup.unsatisfied",
    gettext_lazy("回访：%(problems)s（满意度 %(satisfaction)s 分），重新打开"),
    labels={"problems": problems_text},
)
