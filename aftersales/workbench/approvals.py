"""Approving proposals: the approval panel's decision on the dispute page, and
待我审批: proposals and major-incident applications (重大质量事故处理申请) waiting for
the user's approval, oldest first, each with its amount, lines, the entitlements it was
compared with and the statutory verdict on one screen; approve or refuse right there,
through the same approval services as the dispute page and the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.disputes import permissions as can
from aftersales.disputes.permissions import can_approve_proposals
from aftersales.mediation import proposal_approvals
from aftersales.mediation import workbench_selectors as reads

from . import mediation_forms as f
from .dispute_page import dispute_or_404, dispute_url, render_dispute
from .forms_support import done
from .mediation_actions import allowed_or_403, fresh_revision, proposal_or_404


def decide(request, dispute, proposal, form) -> bool:
    """Approve or refuse the revision the form was filled on (also the approvals inbox)."""

    def call(d):
        fresh_revision(proposal, d["revision"])
        service = (
            proposal_approvals.proposal_approve
            if d["decision"] == f.DecisionForm.APPROVE
            else proposal_approvals.proposal_refuse
        )
        return service(proposal=proposal, approver=request.user, reason=d["reason"])

    if not f.attempt(form, call):
        return False
    approved = form.cleaned_data["decision"] == f.DecisionForm.APPROVE
    messages.success(
        request,
        (
            _("已同意投诉 %(number)s 的调解方案")
            if approved
            else _("已驳回投诉 %(number)s 的调解方案")
        )
        % {"number": dispute.number},
    )
    return True


@login_required
@require_POST
def proposal_decide(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_approve_proposals(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)
    form = f.DecisionForm(request.POST, prefix="decision")
    if decide(request, dispute, proposal, form):
        return done(request, dispute_url(dispute, "proposals"))
    return render_dispute(request, dispute, bound={"decision": form}, status=f.status_of(form))


def _page(request, failed=None, status: int = 200):
    """The inbox; `failed`: (dispute, proposal id, form) of a decision that did not go
    through, shown on its row — or at the top when the row has left the inbox (decided
    by someone else meanwhile)."""
    rows = []
    for waiting in reads.approvals_waiting_for(request.user):
        key = waiting.proposal.pk
        form = f.DecisionForm(
            prefix=f"decision-{key}", initial={"revision": waiting.revision.number}
        )
        if failed is not None and failed[1] == key:
            form, failed = failed[2], None
        rows.append({"w": waiting, "form": form})
    request.nav_active = "approvals"
    context = {"rows": rows, "failed": failed}
    return render(request, "workbench/approvals/inbox.html", context, status=status)


@login_required
def approvals(request):
    if not can_approve_proposals(request.user):
        raise PermissionDenied
    return _page(request)


@login_required
@require_POST
def approvals_decide(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    if not can_approve_proposals(request.user, dispute):
        raise PermissionDenied
    proposal = proposal_or_404(dispute, proposal_id)
    form = f.DecisionForm(request.POST, prefix=f"decision-{proposal.pk}")
    if decide(request, dispute, proposal, form):
        return done(request, reverse("workbench:approvals"))
    return _page(request, (dispute, proposal.pk, form), status=f.status_of(form))


urlpatterns = [
    path(
        "disputes/<str:number>/proposals/<int:proposal_id>/decision",
        proposal_decide,
        name="proposal_decide",
    ),
    path("approvals/", approvals, name="approvals"),
    path(
        "approvals/<str:number>/<int:proposal_id>/",
        approvals_decide,
        name="approvals_decide",
    ),
]
