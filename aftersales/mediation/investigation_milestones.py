"""The investigation's two milestones that start SPEC §4's clocks (issue 12 item 7): QC
told the goods or photos are ready (the QC report is due an hour later), and the
investigation concluded (the proposal is due two hours later). Each service is one
transaction and appends exactly one timeline event."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.lifecycle import CaseFacts, Status, missing_before_proposal
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.permissions import can_propose, can_request_task
from aftersales.disputes.timeline import DisputeKind, record
from aftersales.parties.roles import Department
from aftersales.sla import timers as sla_timers
from aftersales.sla.models import Timer

from .investigation import TASK_NOTE_MAX, TEXT_MAX, _open_dispute, _text
from .models import CaseMeeting, ResponsibilityFinding
from .timeline import MediationKind


def _first_timer_due(timers: Sequence[Timer]) -> dt.datetime | None:
    return min((t.due_at for t in timers if t.state in Timer.URGENT), default=None)


@transaction.atomic
def qc_notify(*, task: Task, actor, note: str = "", at: dt.datetime | None = None) -> Event:
    """The handler tells QC the goods or photos are ready: QC's report is due an hour
    later (the `qc_report` timer, started by the QC_NOTIFIED event, stopped by the report;
    the task's due time follows). Once per task while its report is pending (409)."""
    if not can_request_task(actor, task.dispute):
        raise Forbidden(_("只有处理该投诉的客服专员、组长或管理员可以通知质检"))
    if task.department != Department.QUALITY_CONTROL:
        message = _("只能通知质量管控部的任务")
        raise ValidationFailed(message, fields={"task": message})
    note = _text(note, "note", TASK_NOTE_MAX, required=False)
    locked = _open_dispute(task.dispute)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state != Task.State.OPEN:
        raise Conflict(_("该任务已完成或已取消"), code="task_not_open")
    if Event.objects.filter(
        dispute_id=locked.pk, kind=MediationKind.QC_NOTIFIED, payload__task=task.pk
    ).exists():
        raise Conflict(_("已通知质检，正在等待质检报告"), code="qc_already_notified")
    now = at or timezone.now()
    event = record(
        MediationKind.QC_NOTIFIED,
        dispute_id=locked.pk,
        actor=actor,
        at=now,
        payload={"task": task.pk, "task_kind": task.kind, "department": task.department},
        reason=note,
    )
    due = _first_timer_due(sla_timers.timers_on_events(locked, [event]))
    if due is not None:
        Task.objects.filter(pk=task.pk).update(due_at=due)
    return event


def _concluded_already(dispute: Dispute) -> bool:
    """Concluded since the dispute last entered investigation (a reopened dispute
    investigates, and concludes, again)."""
    entered = (
        Event.objects.filter(
            dispute_id=dispute.pk, kind=DisputeKind.ACTION, to_status=Status.INVESTIGATING
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return Event.objects.filter(
        dispute_id=dispute.pk, kind=MediationKind.INVESTIGATION_CONCLUDED, id__gt=entered or 0
    ).exists()


@transaction.atomic
def investigation_conclude(
    *, dispute: Dispute, actor, summary: str, at: dt.datetime | None = None
) -> Event:
    """The investigation's result, in the handler's words: the proposal is due two hours
    later (the `proposal` timer), and the investigation's own clock stops. Only while
    investigating, once per investigation; a complex or major dispute needs its case
    meeting and responsibility finding first (as `propose` does)."""
    if not can_propose(actor, dispute):
        raise Forbidden(_("只有处理该投诉的客服专员、组长或管理员可以登记调查结论"))
    summary = _text(summary, "summary", TEXT_MAX)
    locked = _open_dispute(dispute)
    if locked.status != Status.INVESTIGATING:
        raise Conflict(_("只有调查核实中的投诉可以登记调查结论"), code="not_investigating")
    if _concluded_already(locked):
        raise Conflict(_("本次调查已登记结论"), code="investigation_already_concluded")
    facts = CaseFacts(
        severity=locked.severity,
        case_meeting_held=CaseMeeting.objects.filter(dispute_id=locked.pk).exists(),
        responsibility_determined=ResponsibilityFinding.objects.filter(
            dispute_id=locked.pk
        ).exists(),
    )
    missing = missing_before_proposal(facts)
    if missing:
        labels = {"case_meeting": _("案件会议"), "responsibility": _("责任认定")}
        raise Conflict(
            _("复杂、重大投诉须先召开案件会议并作出责任认定，才能结束调查；尚缺：%(missing)s")
            % {"missing": "、".join(labels[m] for m in missing)},
            code="investigation_incomplete",
            extra={"missing": missing},
        )
    event = record(
        MediationKind.INVESTIGATION_CONCLUDED,
        dispute_id=locked.pk,
        actor=actor,
        at=at or timezone.now(),
        payload={"severity": locked.severity},
        reason=summary,
    )
    sla_timers.timers_on_events(locked, [event])
    return event
