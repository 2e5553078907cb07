"""The views the mediation sections' forms post to: department tasks and reports, QC
notice, conclusion, case meeting, responsibility, escalations, the proposal builder
(with its check before drafting), sending, withdrawal (approval: `approvals`). Each asks the
permission predicate first (403), then calls the service the API endpoint calls; a
refusal comes back onto the form on the page (422, or 409 for a conflict)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aftersales.common.errors import Conflict, DomainError, NotFound
from aftersales.disputes import permissions as can
from aftersales.mediation import escalation as escalation_services
from aftersales.mediation import investigation as services
from aftersales.mediation import investigation_milestones as milestones
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import proposal_selectors, proposals, selectors
from aftersales.mediation import workbench_selectors as reads

from . import mediation_forms as f
from .dispute_page import dispute_or_404, dispute_url, render_dispute
from .forms_support import done


def _act(request, dispute, *, key, form, call, anchor, message):
    """Submit `form` to `call`; on success back to the page, else the page with it."""
    if f.attempt(form, call):
        messages.success(request, str(message))
        return done(request, dispute_url(dispute, anchor))
    return render_dispute(request, dispute, bound={key: form}, status=f.status_of(form))


def allowed_or_403(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _task(dispute, task_id):
    try:
        return selectors.dispute_task(dispute, task_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def proposal_or_404(dispute, proposal_id):
    try:
        return proposal_selectors.dispute_proposal(dispute, proposal_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def fresh_revision(proposal, seen: int | None) -> None:
    """The revision the form was filled on is still the current one."""
    if seen is not None and seen != proposal.current_number:
        raise Conflict(
            _("调解方案已有新的版本（第 %(n)s 版），请查看后再操作")
            % {"n": proposal.current_number},
            code="revision_changed",
        )


# -- department tasks -------------------------------------------------------------------------


def _on_dispute(*, key, form, allowed, call, anchor, message):
    """The view of a form about the dispute itself: `allowed(user, dispute)` first (403),
    then `call(request, dispute, form, data)` — the service."""

    @login_required
    @require_POST
    def view(request, number):
        dispute = dispute_or_404(request, number)
        allowed_or_403(allowed(request.user, dispute))
        bound = form(request.POST)
        return _act(
            request,
            dispute,
            key=key,
            form=bound,
            call=lambda d: call(request, dispute, bound, d),
            anchor=anchor,
            message=message,
        )

    return view


task_request = _on_dispute(
    key="task_request",
    form=lambda data: f.TaskRequestForm(data, prefix="task"),
    allowed=can.can_request_task,
    call=lambda request, dispute, form, d: services.task_request(
        dispute=dispute, actor=request.user, department=d["department"], note=d["note"]
    ),
    anchor="tasks-mediation",
    message=_lazy("已申请部门协查"),
)


@login_required
@require_POST
def task_report(request, number, task_id):
    dispute = dispute_or_404(request, number)
    task = _task(dispute, task_id)
    allowed_or_403(can.can_file_task_report(request.user, task))
    form = f.TaskReportForm(
        request.POST,
        prefix=f"report-{task.pk}",
        kind=rules.report_kind(task.department),
        evidence=list(dispute.evidence.order_by("id")),
    )
    return _act(
        request,
        dispute,
        key=f"report_{task.pk}",
        form=form,
        call=lambda d: services.task_report_file(
            task=task, actor=request.user, **form.service_args()
        ),
        anchor=f"task-{task.pk}",
        message=_("已提交部门报告"),
    )


@login_required
@require_POST
def qc_notify(request, number, task_id):
    dispute = dispute_or_404(request, number)
    task = _task(dispute, task_id)
    allowed_or_403(can.can_request_task(request.user, dispute))
    form = f.QcNotifyForm(request.POST, prefix=f"qc-{task.pk}")
    return _act(
        request,
        dispute,
        key=f"qc_{task.pk}",
        form=form,
        call=lambda d: milestones.qc_notify(task=task, actor=request.user, note=d["note"]),
        anchor=f"task-{task.pk}",
        message=_("已通知质检：商品或照片已就绪"),
    )


investigation_conclude = _on_dispute(
    key="conclude",
    form=lambda data: f.ConcludeForm(data, prefix="conclude"),
    allowed=can.can_propose,
    call=lambda request, dispute, form, d: milestones.investigation_conclude(
        dispute=dispute, actor=request.user, summary=d["summary"]
    ),
    anchor="investigation",
    message=_lazy("已登记调查结论"),
)

case_meeting = _on_dispute(
    key="meeting",
    form=lambda data: f.MeetingForm(data, prefix="meeting"),
    allowed=can.can_record_case_meeting,
    call=lambda request, dispute, form, d: services.case_meeting_record(
        dispute=dispute, actor=request.user, **form.service_args()
    ),
    anchor="meetings",
    message=_lazy("已记录案件会议"),
)

responsibility = _on_dispute(
    key="responsibility",
    form=lambda data: f.ResponsibilityForm(data, prefix="resp"),
    allowed=can.can_determine_responsibility,
    call=lambda request, dispute, form, d: services.responsibility_determine(
        dispute=dispute, actor=request.user, **form.service_args()
    ),
    anchor="responsibility-section",
    message=_lazy("已作出责任认定"),
)


# -- escalation ---------------------------------------------------------------------------


escalation_file = _on_dispute(
    key="escalation",
    form=lambda data: f.EscalationForm(data, prefix="esc"),
    allowed=can.can_escalate,
    call=lambda request, dispute, form, d: escalation_services.escalation_file(
        dispute=dispute,
        actor=request.user,
        version=d["version"],
        route=d["route"],
        reason=d["reason"],
        filed_on=d["filed_on"] or timezone.localdate(),
        body=d["body"],
        reference=d["reference"],
    ),
    anchor="escalation",
    message=_lazy("已登记外部途径"),
)


def _escalation(dispute, escalation_id):
    try:
        return selectors.dispute_escalation(dispute, escalation_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
@require_POST
def escalation_accept(request, number, escalation_id):
    dispute = dispute_or_404(request, number)
    escalation = _escalation(dispute, escalation_id)
    allowed_or_403(can.can_record_escalation_progress(request.user, dispute))
    form = f.AcceptanceForm(request.POST, prefix=f"accept-{escalation.pk}")
    return _act(
        request,
        dispute,
        key=f"accept_{escalation.pk}",
        form=form,
        call=lambda d: escalation_services.escalation_accept(
            escalation=escalation,
            actor=request.user,
            accepted_on=d["accepted_on"],
            reference=d["reference"],
        ),
        anchor="escalation",
        message=_("已登记外部机构受理"),
    )


@login_required
@require_POST
def escalation_outcome(request, number, escalation_id):
    dispute = dispute_or_404(request, number)
    escalation = _escalation(dispute, escalation_id)
    allowed_or_403(can.can_record_escalation_progress(request.user, dispute))
    form = f.OutcomeForm(request.POST, prefix=f"outcome-{escalation.pk}")
    return _act(
        request,
        dispute,
        key=f"outcome_{escalation.pk}",
        form=form,
        call=lambda d: escalation_services.escalation_conclude(
            escalation=escalation,
            actor=request.user,
            outcome=d["outcome"],
            concluded_on=d["concluded_on"] or timezone.localdate(),
            note=d["note"],
        ),
        anchor="escalation",
        message=_("已登记外部途径结果"),
    )


# -- proposals ----------------------------------------------------------------------------


def _builder(request, dispute, *, revising: bool) -> f.ProposalForm:
    return f.ProposalForm(request.POST, category=dispute.category, revising=revising)


def _drafted(request, dispute, form, call):
    if f.submit_proposal(form, call):
        messages.success(request, _("调解方案已保存，请查看所需审批后发送"))
        return done(request, dispute_url(dispute, "proposals"))
    return render_dispute(request, dispute, bound={"proposal": form}, status=f.status_of(form))


@login_required
@require_POST
def proposal_create(request, number):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    form = _builder(request, dispute, revising=False)
    return _drafted(
        request,
        dispute,
        form,
        lambda d, remedies: proposals.proposal_create(
            dispute=dispute, actor=request.user, remedies_raw=remedies, note=d["note"]
        ),
    )


@login_required
@require_POST
def proposal_revise(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)

    def call(d, remedies):
        fresh_revision(proposal, d["revision"])
        return proposals.proposal_revise(
            proposal=proposal,
            actor=request.user,
            remedies_raw=remedies,
            reason=d["reason"],
            note=d["note"],
        )

    return _drafted(request, dispute, _builder(request, dispute, revising=True), call)


@login_required
@require_POST
def proposal_check(request, number):
    """The builder's lines judged as drafting would judge them — the amount counted
    toward authority, the author's ceiling, who must approve, the statutory verdict and
    the customer's message — without storing anything."""
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    revising = bool(request.POST.get("proposal-revision"))
    form = _builder(request, dispute, revising=revising)
    check, problems = None, []
    if form.is_valid():
        remedies = form.remedies()
        try:
            check = reads.draft_check(dispute, remedies, request.user, form.cleaned_data["note"])
        except DomainError as error:
            form.place(error.fields or {})
            problems = [error.message, *[m for m in (error.fields or {}).values()]]
    context = {"check": check, "problems": list(dict.fromkeys(problems)), "form": form}
    if getattr(request, "htmx", False):
        return render(request, "workbench/dispute/mediation_check.html", context)
    bound = {"proposal": form, "proposal_check": context}
    return render_dispute(request, dispute, bound=bound, status=200 if check else 422)


@login_required
@require_POST
def proposal_send(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)
    form = f.SendForm(request.POST, prefix="send")

    def call(d):
        fresh_revision(proposal, d["revision"])
        return proposals.proposal_send(proposal=proposal, actor=request.user)

    return _act(
        request,
        dispute,
        key="send",
        form=form,
        call=call,
        anchor="proposals",
        message=_("调解方案已发送给顾客"),
    )


@login_required
@require_POST
def proposal_withdraw(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)
    form = f.WithdrawForm(request.POST, prefix="withdraw")

    def call(d):
        fresh_revision(proposal, d["revision"])
        return proposals.proposal_withdraw(
            proposal=proposal, actor=request.user, reason=d["reason"]
        )

    return _act(
        request,
        dispute,
        key="withdraw",
        form=form,
        call=call,
        anchor="proposals",
        message=_("调解方案已撤回"),
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
    path(D + "proposals/", proposal_create, name="proposal_create"),
    path(D + "proposals/check", proposal_check, name="proposal_check"),
    path(D + "proposals/<int:proposal_id>/revisions", proposal_revise, name="proposal_revise"),
    path(D + "proposals/<int:proposal_id>/send", proposal_send, name="proposal_send"),
    path(D + "proposals/<int:proposal_id>/withdraw", proposal_withdraw, name="proposal_withdraw"),
]
