"""/api/v1/disputes/{number}/…: the investigation (department reports, case meetings,
responsibility and root causes) and escalation to outside bodies, with their deadlines."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Reply

from aftersales.disputes import selectors as dispute_selectors
from aftersales.disputes.lifecycle import (
    CaseFacts,
    EscalationRoute,
    missing_before_proposal,
)
from aftersales.mediation import escalation as escalation_services
from aftersales.mediation import investigation as services
from aftersales.mediation import investigation_milestones as milestones
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import selectors
from aftersales.sla.selectors import TimerView, timer_views

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
BODY_ERRORS = {400: ErrorOut, **ERRORS}  # 400: a body that is not JSON


# -- shapes -----------------------------------------------------------------------------


class ReportIn(Schema):
    text: str = Field(..., max_length=5000)
    defect_found: bool | None = None
    defect_severity: str = ""
    trace_status: str = ""
    rules_honoured: bool | None = None
    photo_ids: list[int] = []


class ReportOut(Schema):
    id: int
    task: int
    kind: str
    text: str
    defect_found: bool | None
    defect_severity: str
    trace_status: str
    rules_honoured: bool | None
    photo_ids: list[int]
    filed_by: str | None
    filed_at: dt.datetime


class TaskOut(Schema):
    id: int
    department: str
    kind: str
    title: str
    state: str
    due_at: dt.datetime | None
    report: ReportOut | None


class TaskRequestIn(Schema):
    department: str
    note: str = Field("", max_length=1000)


class QcNotifyIn(Schema):
    note: str = Field("", max_length=1000)


class ConcludeIn(Schema):
    summary: str = Field(..., max_length=5000)


class ConclusionOut(Schema):
    number: str
    summary: str
    concluded_by: str
    concluded_at: dt.datetime
    # The dispute's SLA timers now: the proposal's two hours among them.
    timers: list[TimerView]


class MeetingIn(Schema):
    held_at: dt.datetime
    attendees: list[str]
    minutes: str = Field(..., max_length=10000)
    decisions: list[str]


class MeetingOut(Schema):
    id: int
    held_at: dt.datetime
    attendees: list[str]
    minutes: str
    decisions: list[str]
    recorded_by: str | None
    recorded_at: dt.datetime


class ResponsibilityIn(Schema):
    # Any values: the rules module explains a wrong share better than a type error.
    shares: dict[str, Any]
    root_causes: list[str]
    note: str = Field("", max_length=5000)


class ShareOut(Schema):
    party: str
    label: str
    percent: int


class FindingOut(Schema):
    id: int
    shares: list[ShareOut]
    root_causes: list[str]
    root_cause_labels: list[str]
    note: str
    decided_by: str | None
    decided_at: dt.datetime


class EscalationIn(Schema):
    version: int
    route: str
    reason: str = Field(..., max_length=5000)
    filed_on: dt.date | None = None  # default: today (Asia/Shanghai)
    body: str = Field("", max_length=200)
    reference: str = Field("", max_length=100)


class AcceptanceIn(Schema):
    accepted_on: dt.date
    reference: str = Field("", max_length=100)


class OutcomeIn(Schema):
    outcome: str
    concluded_on: dt.date | None = None
    note: str = Field("", max_length=5000)


class EscalationOut(Schema):
    id: int
    route: str
    route_label: str
    body: str
    reference: str
    state: str
    filed_on: dt.date
    accepted_on: dt.date | None
    concluded_on: dt.date | None
    outcome: str
    outcome_label: str
    outcome_note: str
    legal_task: int | None
    deadlines: list[TimerView]


class InvestigationOut(Schema):
    number: str
    tasks: list[TaskOut]
    meetings: list[MeetingOut]
    responsibility: FindingOut | None  # the finding in force
    findings: list[FindingOut]  # every finding, oldest first
    escalations: list[EscalationOut]
    # What a complex or major dispute still lacks before `propose` from investigating:
    # "case_meeting", "responsibility"; empty when nothing is (or no longer is) required.
    missing_before_proposal: list[str]


# -- rendering --------------------------------------------------------------------------


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _report(report) -> dict:
    return {
        "id": report.pk,
        "task": report.task_id,
        "kind": report.kind,
        "text": report.text,
        "defect_found": report.defect_found,
        "defect_severity": report.defect_severity,
        "trace_status": report.trace_status,
        "rules_honoured": report.rules_honoured,
        "photo_ids": sorted(p.pk for p in report.photos.all()),
        "filed_by": _username(report.filed_by),
        "filed_at": report.filed_at,
    }


def _task(task) -> dict:
    report = getattr(task, "report", None)
    return {
        "id": task.pk,
        "department": task.department,
        "kind": task.kind,
        "title": task.title,
        "state": task.state,
        "due_at": task.due_at,
        "report": _report(report) if report is not None else None,
    }


def _meeting(m) -> dict:
    return {
        "id": m.pk,
        "held_at": m.held_at,
        "attendees": m.attendees,
        "minutes": m.minutes,
        "decisions": m.decisions,
        "recorded_by": _username(m.recorded_by),
        "recorded_at": m.recorded_at,
    }


def _finding(f) -> dict:
    return {
        "id": f.pk,
        "shares": [
            {"party": p, "label": str(rules.Party(p).label), "percent": n}
            for p, n in f.shares.items()
        ],
        "root_causes": f.root_causes,
        "root_cause_labels": [str(rules.RootCause(c).label) for c in f.root_causes],
        "note": f.note,
        "decided_by": _username(f.decided_by),
        "decided_at": f.decided_at,
    }


def _escalation(e, deadlines: list) -> dict:
    return {
        "id": e.pk,
        "route": e.route,
        "route_label": str(EscalationRoute(e.route).label),
        "body": e.body,
        "reference": e.reference,
        "state": e.state,
        "filed_on": e.filed_on,
        "accepted_on": e.accepted_on,
        "concluded_on": e.concluded_on,
        "outcome": e.outcome,
        "outcome_label": (str(rules.Outcome(e.outcome).label) if e.outcome else ""),
        "outcome_note": e.outcome_note,
        "legal_task": e.legal_task_id,
        "deadlines": deadlines,
    }


def _investigation(dispute) -> dict:
    found = selectors.dispute_investigation(dispute)
    findings = [_finding(f) for f in found.findings]
    return {
        "number": dispute.number,
        "tasks": [_task(t) for t in found.tasks],
        "meetings": [_meeting(m) for m in found.meetings],
        "responsibility": findings[-1] if findings else None,
        "findings": findings,
        "escalations": [_escalation(e, found.timers.get(e.route, [])) for e in found.escalations],
        "missing_before_proposal": missing_before_proposal(
            CaseFacts(
                severity=dispute.severity,
                case_meeting_held=bool(found.meetings),
                responsibility_determined=bool(found.findings),
            )
        ),
    }


def _escalation_view(dispute, escalation_id: int) -> dict:
    found = selectors.dispute_investigation(dispute)
    (e,) = [e for e in found.escalations if e.pk == escalation_id]
    return _escalation(e, found.timers.get(e.route, []))


# -- endpoints --------------------------------------------------------------------------


@router.get(
    "/{number}/investigation",
    response={200: InvestigationOut, **ERRORS},
    summary="调查核实与升级 / Investigation and escalation",
)
def get_investigation(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    return _investigation(dispute)


@router.post(
    "/{number}/tasks",
    response={201: TaskOut, **BODY_ERRORS},
    summary="申请部门协查 / Ask a department for a task",
)
def request_task(request: HttpRequest, number: str, payload: TaskRequestIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    task = services.task_request(
        dispute=dispute, actor=request.auth, department=payload.department, note=payload.note
    )
    return Reply(201, _task(task))


@router.post(
    "/{number}/tasks/{task_id}/report",
    response={201: TaskOut, **BODY_ERRORS},
    summary="提交部门报告 / File a department task's report",
)
def file_report(request: HttpRequest, number: str, task_id: int, payload: ReportIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    task = selectors.dispute_task(dispute, task_id)
    services.task_report_file(
        task=task,
        actor=request.auth,
        text=payload.text,
        defect_found=payload.defect_found,
        defect_severity=payload.defect_severity,
        trace_status=payload.trace_status,
        rules_honoured=payload.rules_honoured,
        photo_ids=payload.photo_ids,
    )
    (done,) = [t for t in selectors.dispute_investigation(dispute).tasks if t.pk == task.pk]
    return Reply(201, _task(done))


@router.post(
    "/{number}/tasks/{task_id}/qc-notify",
    response={200: TaskOut, **BODY_ERRORS},
    summary="通知质检商品或照片已就绪 / Tell QC the goods or photos are ready",
)
def notify_qc(request: HttpRequest, number: str, task_id: int, payload: QcNotifyIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    task = selectors.dispute_task(dispute, task_id)
    milestones.qc_notify(task=task, actor=request.auth, note=payload.note)
    (notified,) = [t for t in selectors.dispute_investigation(dispute).tasks if t.pk == task.pk]
    return _task(notified)


@router.post(
    "/{number}/investigation/conclude",
    response={201: ConclusionOut, **BODY_ERRORS},
    summary="登记调查结论 / Conclude the investigation",
)
def conclude_investigation(request: HttpRequest, number: str, payload: ConcludeIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    event = milestones.investigation_conclude(
        dispute=dispute, actor=request.auth, summary=payload.summary
    )
    return Reply(
        201,
        {
            "number": dispute.number,
            "summary": event.reason,
            "concluded_by": event.actor_label,
            "concluded_at": event.at,
            "timers": timer_views(dispute),
        },
    )


@router.post(
    "/{number}/meetings",
    response={201: MeetingOut, **BODY_ERRORS},
    summary="记录案件会议 / Record a case meeting",
)
def record_meeting(request: HttpRequest, number: str, payload: MeetingIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    meeting = services.case_meeting_record(
        dispute=dispute,
        actor=request.auth,
        held_at=payload.held_at,
        attendees=payload.attendees,
        minutes=payload.minutes,
        decisions=payload.decisions,
    )
    return Reply(201, _meeting(meeting))


@router.post(
    "/{number}/responsibility",
    response={201: FindingOut, **BODY_ERRORS},
    summary="责任认定与根本原因 / Responsibility and root causes",
)
def determine_responsibility(request: HttpRequest, number: str, payload: ResponsibilityIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    finding = services.responsibility_determine(
        dispute=dispute,
        actor=request.auth,
        shares=payload.shares,
        root_causes=payload.root_causes,
        note=payload.note,
    )
    return Reply(201, _finding(finding))


@router.post(
    "/{number}/escalations",
    response={201: EscalationOut, **BODY_ERRORS},
    summary="登记外部途径（升级）/ Record an escalation outside the company",
)
def file_escalation(request: HttpRequest, number: str, payload: EscalationIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    escalation = escalation_services.escalation_file(
        dispute=dispute,
        actor=request.auth,
        version=payload.version,
        route=payload.route,
        reason=payload.reason,
        filed_on=payload.filed_on or timezone.localdate(),
        body=payload.body,
        reference=payload.reference,
    )
    return Reply(201, _escalation_view(dispute, escalation.pk))


@router.post(
    "/{number}/escalations/{escalation_id}/acceptance",
    response={200: EscalationOut, **BODY_ERRORS},
    summary="外部机构受理 / The outside body accepted the case",
)
def accept_escalation(request: HttpRequest, number: str, escalation_id: int, payload: AcceptanceIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    escalation = selectors.dispute_escalation(dispute, escalation_id)
    escalation_services.escalation_accept(
        escalation=escalation,
        actor=request.auth,
        accepted_on=payload.accepted_on,
        reference=payload.reference,
    )
    return _escalation_view(dispute, escalation.pk)


@router.post(
    "/{number}/escalations/{escalation_id}/outcome",
    response={200: EscalationOut, **BODY_ERRORS},
    summary="外部途径结果 / The outside route's outcome",
)
def conclude_escalation(request: HttpRequest, number: str, escalation_id: int, payload: OutcomeIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    escalation = selectors.dispute_escalation(dispute, escalation_id)
    escalation_services.escalation_conclude(
        escalation=escalation,
        actor=request.auth,
        outcome=payload.outcome,
        concluded_on=payload.concluded_on or timezone.localdate(),
        note=payload.note,
    )
    return _escalation_view(dispute, escalation.pk)
