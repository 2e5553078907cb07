"""Mediation's timeline events: commitments to the customer, investigation (department
reports, case meetings, responsibility, department tasks asked for, QC notified, the
investigation concluded), case facts, escalation outside the company, proposals and
their answers, the settlement agreement.
Written through `disputes.timeline` (`record`, `new_event`) by the services here and by
the demo, with the builders below where both build the same event."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.disputes.models import Event
from aftersales.disputes.timeline import new_event
from aftersales.disputes.timeline_registry import event_kinds, reason_template

from .models import Commitment


@event_kinds
class MediationKind(TextChoices):
    # Commitments to the customer: made, kept or withdrawn.
    COMMITMENT_MADE = "commitment_made", pgettext_lazy("timeline event", "承诺顾客")
    COMMITMENT_KEPT = "commitment_kept", pgettext_lazy("timeline event", "承诺已兑现")
    COMMITMENT_CANCELLED = "commitment_cancelled", pgettext_lazy("timeline event", "取消承诺")
    # Investigation: department reports, case meetings, responsibility findings,
    # department tasks asked for by hand.
    TASK_REPORTED = "task_reported", pgettext_lazy("timeline event", "部门报告")
    CASE_MEETING = "case_meeting", pgettext_lazy("timeline event", "案件会议")
    RESPONSIBILITY_DETERMINED = (
        "responsibility_determined",
        pgettext_lazy("timeline event", "责任认定"),
    )
    TASK_REQUESTED = "task_requested", pgettext_lazy("timeline event", "申请部门协查")
    # The handler told QC the goods or photos are ready (the QC report's hour starts);
    # the investigation concluded with its summary (the proposal's two hours start).
    QC_NOTIFIED = "qc_notified", pgettext_lazy("timeline event", "通知质检")
    INVESTIGATION_CONCLUDED = (
        "investigation_concluded",
        pgettext_lazy("timeline event", "调查结论"),
    )
    # Case facts the law needs, recorded with reason and evidence.
    FACTS_RECORDED = "facts_recorded", pgettext_lazy("timeline event", "记录案件事实")
    # Escalation: each outside route filed, accepted by the body, and its outcome.
    ESCALATION_FILED = "escalation_filed", pgettext_lazy("timeline event", "外部途径登记")
    ESCALATION_ACCEPTED = "escalation_accepted", pgettext_lazy("timeline event", "外部机构受理")
    ESCALATION_CONCLUDED = "escalation_concluded", pgettext_lazy("timeline event", "外部途径结果")
    # Proposals: drafted, revised, approved or refused within authority, sent, answered
    # by the customer (accepted, rejected, countered), withdrawn; the agreement generated.
    PROPOSAL_DRAFTED = "proposal_drafted", pgettext_lazy("timeline event", "拟定调解方案")
    PROPOSAL_REVISED = "proposal_revised", pgettext_lazy("timeline event", "修改调解方案")
    PROPOSAL_APPROVED = "proposal_approved", pgettext_lazy("timeline event", "调解方案审批通过")
    PROPOSAL_REFUSED = "proposal_refused", pgettext_lazy("timeline event", "调解方案审批驳回")
    PROPOSAL_SENT = "proposal_sent", pgettext_lazy("timeline event", "发送调解方案")
    PROPOSAL_ACCEPTED = "proposal_accepted", pgettext_lazy("timeline event", "顾客接受调解方案")
    PROPOSAL_REJECTED = "proposal_rejected", pgettext_lazy("timeline event", "顾客拒绝调解方案")
    PROPOSAL_COUNTERED = "proposal_countered", pgettext_lazy("timeline event", "顾客还价")
    PROPOSAL_WITHDRAWN = "proposal_withdrawn", pgettext_lazy("timeline event", "撤回调解方案")
    AGREEMENT_GENERATED = "agreement_generated", pgettext_lazy("timeline event", "生成调解协议书")


# The reasons the lifecycle action events of mediation carry (`dispute_apply(reason=…)`).
CUSTOMER_ACCEPTED = reason_template(
    "mediation.customer_accepted", gettext_lazy("顾客接受调解方案（编号 %(id)s 第 %(n)s 版）")
)
NEW_PROPOSAL_SENT = reason_template("mediation.new_proposal_sent", gettext_lazy("发送新的调解方案"))


def agreement_generated_event(agreement, *, revision_number: int, at: dt.datetime) -> Event:
    return new_event(
        MediationKind.AGREEMENT_GENERATED,
        dispute_id=agreement.dispute_id,
        actor_label="system",
        payload={
            "proposal": agreement.proposal_id,
            "revision": revision_number,
            "agreement": agreement.pk,
            "sha256": agreement.sha256,
            "bytes": len(agreement.pdf),
        },
        at=at,
    )


def commitment_event(commitment, *, actor, at: dt.datetime, reason: str = "", actor_label=None):
    """A commitment made, kept or cancelled, as its state says now."""
    kind = {
        Commitment.State.KEPT: MediationKind.COMMITMENT_KEPT,
        Commitment.State.CANCELLED: MediationKind.COMMITMENT_CANCELLED,
    }.get(commitment.state, MediationKind.COMMITMENT_MADE)
    return new_event(
        kind,
        dispute_id=commitment.dispute_id,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        payload={
            "commitment": commitment.pk,
            "text": commitment.text,
            "due_at": commitment.due_at.isoformat(),
        },
        at=at,
    )
