"""Approving proposals: the approval panel's decision on the dispute page, and
待我审批: proposals and major-incident applications (重大质量事故处理申请) waiting for
the user's approval, oldest first, each with its amount, lines, the entitlements it was
compared with and the statutory verdict on one screen; approve or refuse right there,
through the same approval services as the dispute page and the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.disputes import permissions as can
from aftersales.disputes.models import Event
from aftersales.disputes.permissions import can_approve_proposals
from aftersales.mediation import proposal_approvals
from aftersales.mediation import workbench_selectors as reads

from .dispute_page import dispute_or_404
from .form_views import act, allowed_or_403, changes_since
from .proposal_actions import current_revision, fresh_revision, proposal_or_404
from .proposal_forms import DecisionForm


def decide(request, dispute, proposal, form: DecisionForm, **answer):
    """Approve or refuse the revision the form was filled on (the approval panel on the
    dispute page, and the approvals inbox: `answer`, where to go and what to show when
    it failed)."""

    def call(d):
        fresh_revision(proposal, d["revision"])
        service = (
            proposal_approvals.proposal_approve
            if d["decision"] == DecisionForm.APPROVE
            else proposal_approvals.proposal_refuse
        )
        return service(proposal=proposal, approver=request.user, reason=d["reason"])

    def message(form):
        approved = form.cleaned_data["decision"] == DecisionForm.APPROVE
        said = (
            _("已同意投诉 %(number)s 的调解方案")
            if approved
            else _("已驳回投诉 %(number)s 的调解方案")
        )
        return said % {"number": dispute.number}

    return act(
        request, dispute, form, call, message=message, fresh=current_revision(proposal), **answer
    )


@login_required
@require_POST
def proposal_decide(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_approve_proposals(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)
    form = DecisionForm(request.POST, prefix="decision")
    return decide(request, dispute, proposal, form, key="decision", anchor="proposals")


def _newest_events(dispute_ids: list[int]) -> dict[int, int]:
    """The newest timeline event of each dispute (what the user has seen on its row)."""
    found = (
        Event.objects.filter(dispute_id__in=dispute_ids)
        .values("dispute_id")
        .annotate(newest=Max("id"))
        .order_by()
    )
    return {row["dispute_id"]: row["newest"] for row in found}


def _page(request, failed=None, status: int = 200):
    """The inbox; `failed`: (dispute, proposal id, form) of a decision that did not go
    through, shown on its row — or at the top when the row has left the inbox (decided
    by someone else meanwhile). A stale one lists at the top what changed on that
    dispute since the inbox was loaded, and who, as the dispute page does."""
    waiting = reads.approvals_waiting_for(request.user)
    newest = _newest_events([w.dispute.pk for w in waiting])
    rows = []
    changes = None
    if failed is not None and failed[2].conflict:
        changes = changes_since(failed[0], failed[2])
    for w in waiting:
        key = w.proposal.pk
        form = DecisionForm(prefix=f"decision-{key}", initial={"revision": w.revision.number})
        if failed is not None and failed[1] == key:
            form, failed = failed[2], None
        rows.append({"w": w, "form": form, "last_event_id": newest.get(w.dispute.pk)})
    request.nav_active = "approvals"
    context = {"rows": rows, "failed": failed, "changes": changes}
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
    form = DecisionForm(request.POST, prefix=f"decision-{proposal.pk}")
    return decide(
        request,
        dispute,
        proposal,
        form,
        key="decision",
        url=reverse("workbench:approvals"),
        failed=lambda bound, status: _page(request, (dispute, proposal.pk, form), status=status),
    )


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
