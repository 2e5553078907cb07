"""The views the investigation and escalation sections' forms post to: department tasks
and reports, QC notice, conclusion, case meeting, responsibility, escalations (the
proposals': `proposal_actions`; approval: `approvals`). Each asks the permission predicate
first (403), then calls the service the API endpoint calls; a refusal comes back onto the
form on the page (422, 403, or 409 for a conflict) — `form_views`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aftersales.disputes import permissions as can
from aftersales.mediation import escalation as escalation_services
from aftersales.mediation import investigation as services
from aftersales.mediation import investigation_milestones as milestones
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import selectors

from . import mediation_forms as f
from .dispute_page import dispute_or_404
from .form_views import act, allowed_or_403, dispute_form, found_or_404

# -- department tasks -------------------------------------------------------------------------


task_request = dispute_form(
    form=f.TaskRequestForm,
    prefix="task",
    key="task_request",
    allowed=can.can_request_task,
    call=lambda p: services.task_request(
        dispute=p.dispute, actor=p.user, department=p.data["department"], note=p.data["note"]
    ),
    anchor="tasks-mediation",
    message=_lazy("已申请部门协查"),
)


@login_required
@require_POST
def task_report(request, number, task_id):
    dispute = dispute_or_404(request, number)
    task = found_or_404(selectors.dispute_task, dispute, task_id)
    form = f.TaskReportForm(
        request.POST,
        prefix=f"report-{task.pk}",
        kind=rules.report_kind(task.department),
        evidence=list(dispute.evidence.order_by("id")),
    )
    return act(
        request,
        dispute,
        form,
        lambda d: services.task_report_file(task=task, actor=request.user, **form.service_args()),
        allowed=can.can_file_task_report(request.user, task),
        key=f"report_{task.pk}",
        anchor=f"task-{task.pk}",
        message=_("已提交部门报告"),
    )


@login_required
@require_POST
def qc_notify(request, number, task_id):
    dispute = dispute_or_404(request, number)
    task = found_or_404(selectors.dispute_task, dispute, task_id)
    return act(
        request,
        dispute,
        f.QcNotifyForm(request.POST, prefix=f"qc-{task.pk}"),
        lambda d: milestones.qc_notify(task=task, actor=request.user, note=d["note"]),
        allowed=can.can_request_task(request.user, dispute),
        key=f"qc_{task.pk}",
        anchor=f"task-{task.pk}",
        message=_("已通知质检：商品或照片已就绪"),
    )


investigation_conclude = dispute_form(
    form=f.ConcludeForm,
    prefix="conclude",
    allowed=can.can_propose,
    call=lambda p: milestones.investigation_conclude(
        dispute=p.dispute, actor=p.user, summary=p.data["summary"]
    ),
    anchor="investigation",
    message=_lazy("已登记调查结论"),
)

case_meeting = dispute_form(
    form=f.MeetingForm,
    prefix="meeting",
    allowed=can.can_record_case_meeting,
    call=lambda p: services.case_meeting_record(
        dispute=p.dispute, actor=p.user, **p.form.service_args()
    ),
    anchor="meetings",
    message=_lazy("已记录案件会议"),
)

responsibility = dispute_form(
    form=f.ResponsibilityForm,
    prefix="resp",
    key="responsibility",
    allowed=can.can_determine_responsibility,
    call=lambda p: services.responsibility_determine(
        dispute=p.dispute, actor=p.user, **p.form.service_args()
    ),
    anchor="responsibility-section",
    message=_lazy("已作出责任认定"),
)


# -- escalation ---------------------------------------------------------------------------


escalation_file = dispute_form(
    form=f.EscalationForm,
    prefix="esc",
    key="escalation",
    allowed=can.can_escalate,
    call=lambda p: escalation_services.escalation_file(
        dispute=p.dispute,
        actor=p.user,
        version=p.data["version"],
        route=p.data["route"],
        reason=p.data["reason"],
        filed_on=p.data["filed_on"] or timezone.localdate(),
        body=p.data["body"],
        reference=p.data["reference"],
    ),
    anchor="escalation",
    message=_lazy("已登记外部途径"),
)


def _escalation_form(name: str, form_class, call, message):
    """The view of a form about one escalation (its acceptance, its outcome):
    `call(escalation, actor, cleaned_data)`."""

    @login_required
    @require_POST
    def view(request, number, escalation_id):
        dispute = dispute_or_404(request, number)
        escalation = found_or_404(selectors.dispute_escalation, dispute, escalation_id)
        allowed_or_403(can.can_record_escalation_progress(request.user, dispute))
        return act(
            request,
            dispute,
            form_class(request.POST, prefix=f"{name}-{escalation.pk}"),
            lambda d: call(escalation, request.user, d),
            key=f"{name}_{escalation.pk}",
            anchor="escalation",
            message=message,
        )

    return view


escalation_accept = _escalation_form(
    "accept",
    f.AcceptanceForm,
    lambda escalation, actor, d: escalation_services.escalation_accept(
        escalation=escalation,
        actor=actor,
        accepted_on=d["accepted_on"],
        reference=d["reference"],
    ),
    _lazy("已登记外部机构受理"),
)
escalation_outcome = _escalation_form(
    "outcome",
    f.OutcomeForm,
    lambda escalation, actor, d: escalation_services.escalation_conclude(
        escalation=escalation,
        actor=actor,
        outcome=d["outcome"],
        concluded_on=d["concluded_on"] or timezone.localdate(),
        note=d["note"],
    ),
    _lazy("已登记外部途径结果"),
)


D = "disputes/<str:number>/"
urlpatterns = [
    path(D + "tasks/", task_request, name="task_request"),
    path(D + "tasks/<int:task_id>/report", task_report, name="task_report"),
    path(D + "tasks/<int:task_id>/qc-notify", qc_notify, name="qc_notify"),
    path(D + "investigation/conclude", investigation_conclude, name="investigation_conclude"),
    path(D + "meetings/", case_meeting, name="case_meeting"),
    path(D + "responsibility/", responsibility, name="responsibility"),
    path(D + "escalations/", escalation_file, name="escalation_file"),
    path(
        D + "escalations/<int:escalation_id>/acceptance",
        escalation_accept,
        name="escalation_accept",
    ),
    path(
        D + "escalations/<int:escalation_id>/outcome",
        escalation_outcome,
        name="escalation_outcome",
    ),
]
