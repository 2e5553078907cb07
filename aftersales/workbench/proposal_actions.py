"""The views the proposal builder and the proposal's forms post to: drafting and revising
(with the check before drafting), sending, withdrawal (approval: `approvals`). Each asks
`can_propose` first (403), then calls the service the API endpoint calls; a refusal comes
back onto the form on the page — a line's on its row of the builder (422, 403, or 409 for
a conflict: the page lists what changed since the user looked) — `form_views`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aftersales.common.errors import Conflict, DomainError
from aftersales.disputes import permissions as can
from aftersales.mediation import proposal_selectors, proposals
from aftersales.mediation import workbench_selectors as reads

from . import proposal_forms as f
from .dispute_page import dispute_or_404, render_dispute
from .form_views import act, allowed_or_403, found_or_404


def proposal_or_404(dispute, proposal_id):
    return found_or_404(proposal_selectors.dispute_proposal, dispute, proposal_id)


def fresh_revision(proposal, seen: int | None) -> None:
    """The revision the form was filled on is still the current one."""
    if seen is not None and seen != proposal.current_number:
        raise Conflict(
            _("调解方案已有新的版本（第 %(n)s 版），请查看后再操作")
            % {"n": proposal.current_number},
            code="revision_changed",
        )


def current_revision(proposal):
    """What a stale proposal form comes back with: the current revision's number."""
    if proposal is None:
        return None
    return lambda: {"revision": proposal.current_number}


def _builder(request, dispute, *, revising: bool) -> f.ProposalForm:
    """The builder as posted; a bundle partial return reads the order's bundle line."""
    return f.ProposalForm(
        request.POST,
        category=dispute.category,
        revising=revising,
        bundle=lambda: proposal_selectors.order_money(dispute).bundle,
    )


def _drafted(request, dispute, form: f.ProposalForm, call, proposal=None):
    return act(
        request,
        dispute,
        form,
        call,
        key="proposal",
        anchor="proposals",
        fresh=current_revision(proposal),
        message=_("调解方案已保存，请查看所需审批后发送"),
    )


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
        lambda d: proposals.proposal_create(
            dispute=dispute, actor=request.user, remedies_raw=form.remedies, note=d["note"]
        ),
    )


@login_required
@require_POST
def proposal_revise(request, number, proposal_id):
    dispute = dispute_or_404(request, number)
    allowed_or_403(can.can_propose(request.user, dispute))
    proposal = proposal_or_404(dispute, proposal_id)
    form = _builder(request, dispute, revising=True)

    def call(d):
        fresh_revision(proposal, d["revision"])
        return proposals.proposal_revise(
            proposal=proposal,
            actor=request.user,
            remedies_raw=form.remedies,
            reason=d["reason"],
            note=d["note"],
        )

    return _drafted(request, dispute, form, call, proposal)


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
        try:
            check = reads.draft_check(
                dispute, form.remedies, request.user, form.cleaned_data["note"]
            )
        except DomainError as error:
            form.place(error.fields or {})
            problems = [error.message, *[m for m in (error.fields or {}).values()]]
    context = {"check": check, "problems": list(dict.fromkeys(problems)), "form": form}
    if getattr(request, "htmx", False):
        return render(request, "workbench/dispute/mediation_check.html", context)
    bound = {"proposal": form, "proposal_check": context}
    return render_dispute(request, dispute, bound=bound, status=200 if check else 422)


def _on_proposal(name: str, form_class, service, message):
    """The view of a form about the current revision (send, withdraw): a newer revision
    since the page was loaded is a conflict; `service(proposal, actor, cleaned_data)`."""

    @login_required
    @require_POST
    def view(request, number, proposal_id):
        dispute = dispute_or_404(request, number)
        allowed_or_403(can.can_propose(request.user, dispute))
        proposal = proposal_or_404(dispute, proposal_id)

        def call(d):
            fresh_revision(proposal, d["revision"])
            return service(proposal, request.user, d)

        return act(
            request,
            dispute,
            form_class(request.POST, prefix=name),
            call,
            key=name,
            anchor="proposals",
            message=message,
            fresh=current_revision(proposal),
        )

    return view


proposal_send = _on_proposal(
    "send",
    f.SendForm,
    lambda proposal, actor, d: proposals.proposal_send(proposal=proposal, actor=actor),
    _lazy("调解方案已发送给顾客"),
)
proposal_withdraw = _on_proposal(
    "withdraw",
    f.WithdrawForm,
    lambda proposal, actor, d: proposals.proposal_withdraw(
        proposal=proposal, actor=actor, reason=d["reason"]
    ),
    _lazy("调解方案已撤回"),
)


D = "disputes/<str:number>/"
urlpatterns = [
    path(D + "proposals/", proposal_create, name="proposal_create"),
    path(D + "proposals/check", proposal_check, name="proposal_check"),
    path(D + "proposals/<int:proposal_id>/revisions", proposal_revise, name="proposal_revise"),
    path(D + "proposals/<int:proposal_id>/send", proposal_send, name="proposal_send"),
    path(D + "proposals/<int:proposal_id>/withdraw", proposal_withdraw, name="proposal_withdraw"),
]
