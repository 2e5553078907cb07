"""Writes of the investigation (调查核实): department tasks asked for by hand, QC told the
goods are ready, department reports that complete their tasks, case meetings,
responsibility findings with root causes, the investigation concluded. Each service is
one transaction and appends exactly one timeline event."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Evidence, Task
from aftersales.disputes.permissions import (
    can_determine_responsibility,
    can_file_task_report,
    can_record_case_meeting,
    can_request_task,
)
from aftersales.disputes.timeline import record
from aftersales.parties.actors import user_of
from aftersales.parties.roles import Department
from aftersales.sla import timers as sla_timers
from aftersales.sla.models import Timer
from aftersales.sla.signals import task_signals
from aftersales.triage.selectors import routing_rules

from . import investigation_rules as rules
from .models import CaseMeeting, ResponsibilityFinding, TaskReport
from .timeline import MediationKind

TEXT_MAX = 5000
MINUTES_MAX = 10000
LIST_MAX = 50
ITEM_MAX = 200


def problem_message(problem: rules.Problem) -> str:
    """A pure module's problem code in the reader's language."""
    p = problem.params
    messages = {
        "shares_required": lambda: _("请填写各方责任比例（百分比）"),
        "party_unknown": lambda: (
            _("未知的责任方，可选：%(choices)s") % {"choices": "、".join(p["choices"])}
        ),
        "share_invalid": lambda: _("责任比例应为 0 到 100 之间的整数"),
        "shares_total": lambda: (
            _("各方责任比例之和必须为 100%%，现在是 %(total)s%%") % {"total": p["total"]}
        ),
        "root_causes_required": lambda: _("请至少选择一个根本原因"),
        "root_cause_unknown": lambda: (
            _("未知的根本原因“%(code)s”，可选：%(choices)s")
            % {"code": p["code"], "choices": "、".join(p["choices"])}
        ),
        "root_cause_repeated": lambda: _("根本原因不能重复"),
        "text_required": lambda: _("请填写结论说明"),
        "defect_found_required": lambda: _("质检报告须写明有无缺陷"),
        "defect_severity_required": lambda: _("发现缺陷时须写明严重程度"),
        "defect_severity_without_defect": lambda: _("未发现缺陷时不应填写严重程度"),
        "trace_status_required": lambda: _("请填写物流核查结果"),
        "rules_honoured_required": lambda: _("请写明订单是否符合直播间/促销活动规则"),
        "choice_invalid": lambda: (
            _("取值不正确，可选：%(choices)s") % {"choices": "、".join(p["choices"])}
        ),
    }
    return messages[problem.code]()


def refuse(problems: Sequence[rules.Problem]) -> ValidationFailed:
    fields = {}
    for problem in problems:
        fields.setdefault(problem.field, problem_message(problem))
    return ValidationFailed(next(iter(fields.values())), fields=fields)


def _open_dispute(dispute: Dispute) -> Dispute:
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not locked.is_open:
        raise Conflict(
            _("投诉 %(number)s 已结束") % {"number": locked.number}, code="dispute_closed"
        )
    return locked


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        message = _("缺少必填内容：%(field)s") % {"field": field}
        raise ValidationFailed(message, fields={field: _("必填")})
    if len(value) > limit:
        message = _("不能超过 %(max)d 个字符") % {"max": limit}
        raise ValidationFailed(message, fields={field: message})
    return value


def _strings(values: Any, field: str, *, required: bool) -> list[str]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationFailed(_("应为字符串列表"), fields={field: _("应为字符串列表")})
    cleaned = [v.strip() for v in values if v.strip()]
    if required and not cleaned:
        message = _("至少填写一项")
        raise ValidationFailed(message, fields={field: message})
    if len(cleaned) > LIST_MAX or any(len(v) > ITEM_MAX for v in cleaned):
        message = _("最多 %(n)d 项，每项不超过 %(max)d 个字符") % {"n": LIST_MAX, "max": ITEM_MAX}
        raise ValidationFailed(message, fields={field: message})
    return cleaned


# -- department reports -----------------------------------------------------------------


@transaction.atomic
def task_report_file(
    *,
    task: Task,
    actor,
    text: str,
    defect_found: bool | None = None,
    defect_severity: str = "",
    trace_status: str = "",
    rules_honoured: bool | None = None,
    photo_ids: Sequence[int] = (),
    at: dt.datetime | None = None,
) -> TaskReport:
    """File a department task's result; the task is done and its SLA timer (e.g. the QC
    report's hour) stops. Only the task's department (or an admin) files it."""
    if not can_file_task_report(actor, task):
        raise Forbidden(_("只有任务所属部门可以提交该报告"))
    report_input = rules.ReportInput(
        kind=rules.report_kind(task.department),
        text=text or "",
        defect_found=defect_found,
        defect_severity=defect_severity or "",
        trace_status=trace_status or "",
        rules_honoured=rules_honoured,
    )
    problems = rules.report_problems(report_input)
    if problems:
        raise refuse(problems)
    text = _text(text, "text", TEXT_MAX)
    dispute = _open_dispute(task.dispute)
    photo_ids = list(dict.fromkeys(photo_ids))
    photos = list(Evidence.objects.filter(dispute=dispute, pk__in=photo_ids))
    if len(photos) != len(photo_ids):
        missing = sorted(set(photo_ids) - {p.pk for p in photos})
        message = _("证据 %(ids)s 不属于该投诉") % {"ids": ", ".join(map(str, missing))}
        raise ValidationFailed(message, fields={"photo_ids": message})
    now = at or timezone.now()
    # Conditional: two filings at once complete the task once.
    if Task.objects.filter(pk=task.pk, state=Task.State.OPEN).update(state=Task.State.DONE) != 1:
        raise Conflict(_("该任务已完成或已取消"), code="task_not_open")
    report = TaskReport.objects.create(
        task_id=task.pk,
        dispute_id=dispute.pk,
        kind=report_input.kind.value,
        text=text,
        defect_found=defect_found if report_input.kind is rules.ReportKind.QC else None,
        defect_severity=defect_severity or "",
        trace_status=trace_status or "",
        rules_honoured=(
            rules_honoured if report_input.kind is rules.ReportKind.OPERATIONS else None
        ),
        filed_by=user_of(actor),
        filed_at=now,
    )
    report.photos.set(photos)
    payload = {
        "report": report.pk,
        "task": task.pk,
        "task_kind": task.kind,
        "department": task.department,
        "kind": report.kind,
        "text": text,
    }
    if report.kind == rules.ReportKind.QC:
        payload |= {
            "defect_found": defect_found,
            "defect_severity": report.defect_severity,
            "photos": [p.pk for p in photos],
        }
    elif report.kind == rules.ReportKind.LOGISTICS:
        payload["trace_status"] = report.trace_status
    elif report.kind == rules.ReportKind.OPERATIONS:
        payload["rules_honoured"] = rules_honoured
    record(MediationKind.TASK_REPORTED, dispute_id=dispute.pk, actor=actor, at=now, payload=payload)
    sla_timers.timers_on_signals(dispute, task_signals([task.kind], "done"), now)
    return report


# -- case meeting -----------------------------------------------------------------------


@transaction.atomic
def case_meeting_record(
    *,
    dispute: Dispute,
    actor,
    held_at: dt.datetime,
    attendees: Sequence[str],
    minutes: str,
    decisions: Sequence[str],
    at: dt.datetime | None = None,
) -> CaseMeeting:
    """The minutes of a case meeting: who attended, what was said, what was decided."""
    if not can_record_case_meeting(actor, dispute):
        raise Forbidden(_("只有组长或管理员可以记录案件会议"))
    attendees = _strings(attendees, "attendees", required=True)
    decisions = _strings(decisions, "decisions", required=True)
    minutes = _text(minutes, "minutes", MINUTES_MAX)
    if held_at.tzinfo is None:
        raise ValidationFailed(_("会议时间须带时区"), fields={"held_at": _("须带时区")})
    now = at or timezone.now()
    if held_at > now + dt.timedelta(minutes=5):
        message = _("会议时间不能晚于现在")
        raise ValidationFailed(message, fields={"held_at": message})
    locked = _open_dispute(dispute)
    if held_at < locked.received_at:
        message = _("会议时间不能早于投诉受理时间")
        raise ValidationFailed(message, fields={"held_at": message})
    meeting = CaseMeeting.objects.create(
        dispute_id=locked.pk,
        held_at=held_at,
        attendees=attendees,
        minutes=minutes,
        decisions=decisions,
        recorded_by=user_of(actor),
        recorded_at=now,
    )
    record(
        MediationKind.CASE_MEETING,
        dispute_id=locked.pk,
        actor=actor,
        at=now,
        payload={
            "meeting": meeting.pk,
            "held_at": held_at.isoformat(),
            "attendees": attendees,
            "decisions": decisions,
            "severity": locked.severity,
        },
        reason=minutes,
    )
    return meeting


# -- responsibility ---------------------------------------------------------------------


@transaction.atomic
def responsibility_determine(
    *,
    dispute: Dispute,
    actor,
    shares: Mapping[str, int],
    root_causes: Sequence[str],
    note: str = "",
    at: dt.datetime | None = None,
) -> ResponsibilityFinding:
    """Record who is responsible (percent shares summing to 100) and why (root causes).
    A later finding supersedes an earlier one; both stay on the record."""
    if not can_determine_responsibility(actor, dispute):
        raise Forbidden(_("您没有认定责任的权限"))
    problems = rules.share_problems(shares) + rules.root_cause_problems(
        list(root_causes) if isinstance(root_causes, list | tuple) else root_causes
    )
    if problems:
        raise refuse(problems)
    note = _text(note, "note", TEXT_MAX, required=False)
    locked = _open_dispute(dispute)
    now = at or timezone.now()
    # Parties in their fixed order, zero shares kept: "carrier 0" is a finding too.
    ordered = {p.value: shares[p.value] for p in rules.Party if p.value in shares}
    finding = ResponsibilityFinding.objects.create(
        dispute_id=locked.pk,
        shares=ordered,
        root_causes=list(root_causes),
        note=note,
        decided_by=user_of(actor),
        decided_at=now,
    )
    superseded = (
        ResponsibilityFinding.objects.filter(dispute_id=locked.pk)
        .exclude(pk=finding.pk)
        .order_by("-decided_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    record(
        MediationKind.RESPONSIBILITY_DETERMINED,
        dispute_id=locked.pk,
        actor=actor,
        at=now,
        payload={
            "finding": finding.pk,
            "shares": ordered,
            "root_causes": list(root_causes),
            "supersedes": superseded,
        },
        reason=note,
    )
    return finding


# -- department tasks asked for by hand (issue 10 item 4) ---------------------------------

TASK_NOTE_MAX = 1000


def _task_kind_and_title(department: str) -> tuple[str, str]:
    """The kind and title routing gives this department's task (so the SLA timers of that
    kind apply, e.g. qc_inspection's report hour); a department no rule names gets
    `<department>_request`."""
    for rule in routing_rules():
        if rule.task_department == department and rule.task_kind:
            return rule.task_kind, rule.task_title or rule.name
    label = Department(department).label
    return f"{department}_request", _("%(department)s：协查") % {"department": label}


@transaction.atomic
def task_request(
    *,
    dispute: Dispute,
    actor,
    department: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> Task:
    """Ask a department for a task on a dispute of any category (QC inspecting goods on a
    false-advertising case): an open task, its SLA timers started as routing's are, and a
    TASK_REQUESTED event. The department's staff then see the dispute. One open task per
    department and dispute (409)."""
    if not can_request_task(actor, dispute):
        raise Forbidden(_("只有处理该投诉的客服专员、组长或管理员可以申请部门协查"))
    if department not in Department.__members__.values():
        choices = "、".join(d.value for d in Department)
        message = _("未知的部门，可选：%(choices)s") % {"choices": choices}
        raise ValidationFailed(message, fields={"department": message})
    note = _text(note, "note", TASK_NOTE_MAX, required=False)
    locked = _open_dispute(dispute)
    if Task.objects.filter(
        dispute_id=locked.pk, department=department, state=Task.State.OPEN
    ).exists():
        label = Department(department).label
        raise Conflict(
            _("%(department)s在该投诉上已有未完成的任务") % {"department": label},
            code="task_open",
        )
    now = at or timezone.now()
    kind, title = _task_kind_and_title(department)
    task = Task.objects.create(
        dispute_id=locked.pk, department=department, kind=kind, title=(note or title)[:200]
    )
    timers = sla_timers.timers_on_tasks(locked, [task], now)  # task:<kind>:created
    due = min((t.due_at for t in timers if t.state in Timer.URGENT), default=None)
    if due is not None:
        Task.objects.filter(pk=task.pk).update(due_at=due)
        task.due_at = due
    record(
        MediationKind.TASK_REQUESTED,
        dispute_id=locked.pk,
        actor=actor,
        at=now,
        payload={
            "task": task.pk,
            "department": department,
            "kind": kind,
            "title": task.title,
            "due_at": due.isoformat() if due else None,
        },
        reason=note,
    )
    return task
