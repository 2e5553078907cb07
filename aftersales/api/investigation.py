"""/api/v1/disputes/{number}/…: the investigation (department reports, case meetings,
responsibility and root causes) and escalation to outside bodies, with their deadlines.
Shapes and their rendering: api.investigation_schemas."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja import Status as Reply

from aftersales.disputes import selectors as dispute_selectors
from aftersales.mediation import escalation as escalation_services
from aftersales.mediation import investigation as services
from aftersales.mediation import investigation_milestones as milestones
from aftersales.mediation import selectors
from aftersales.sla.selectors import timer_views

from .investigation_schemas import (
    BODY_ERRORS,
    ERRORS,
    AcceptanceIn,
    ConcludeIn,
    ConclusionOut,
    EscalationIn,
    EscalationOut,
    FindingOut,
    InvestigationOut,
    MeetingIn,
    MeetingOut,
    OutcomeIn,
    QcNotifyIn,
    ReportIn,
    ResponsibilityIn,
    TaskOut,
    TaskRequestIn,
    escalation_view,
    finding_out,
    investigation_out,
    meeting_out,
    task_out,
)

router = Router()


# -- endpoints --------------------------------------------------------------------------


@router.get(
    "/{number}/investigation",
    response={200: InvestigationOut, **ERRORS},
    summary="调查核实与升级 / Investigation and escalation",
)
def get_investigation(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    return investigation_out(dispute)


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
    return Reply(201, task_out(task))


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
    return Reply(201, task_out(done))


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
    return task_out(notified)


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
    return Reply(201, meeting_out(meeting))


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
    return Reply(201, finding_out(finding))


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
    return Reply(201, escalation_view(dispute, escalation.pk))


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
    return escalation_view(dispute, escalation.pk)


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
    return escalation_view(dispute, escalation.pk)
