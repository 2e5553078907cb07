"""Approval of proposal revisions within authority (审批): who has approved, what is still
required, and the approve/refuse decisions with their timeline events."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden
from aftersales.disputes.models import Task
from aftersales.disputes.permissions import authority_roles, can_approve_proposals
from aftersales.disputes.timeline import actor_label, record
from aftersales.parties.actors import user_of
from aftersales.parties.roles import Department, Role

from . import authority, notices
from .models import Proposal, ProposalApproval, ProposalRevision
from .proposal_delivery import LINK_DAYS as LINK_DAYS  # read here by the demo
from .proposal_delivery import code_hash as code_hash  # read here by the demo
from .proposal_drafts import (
    LEGAL_TASK_KIND,
    REASON_MAX,
    S,
    ceilings,
    clean_input,
    lock_proposal,
    refusal,
    set_state,
)
from .proposal_messages import remedy_line as remedy_line  # read here by demo, workbench
from .proposal_messages import requirement_label
from .timeline import MediationKind


def approvals_given(revision: ProposalRevision) -> list[str]:
    return list(
        revision.approvals.filter(decision=ProposalApproval.Decision.APPROVED).values_list(
            "step", flat=True
        )
    )


def outstanding_requirements(revision: ProposalRevision) -> list[authority.Requirement]:
    required = [authority.Requirement.from_dict(r) for r in revision.required_approvals]
    return authority.outstanding(required, approvals_given(revision))


def _decide(*, proposal: Proposal, approver, reason: str, at, approve: bool) -> Proposal:
    if not can_approve_proposals(approver, proposal.dispute):
        raise Forbidden(_("您没有审批调解方案的权限"))
    now = at or timezone.now()
    reason = clean_input(reason, "reason", REASON_MAX)
    dispute, locked, revision = lock_proposal(proposal)
    if revision.author_id is not None and revision.author_id == approver.pk:
        raise Forbidden(
            _("不能审批自己拟定的调解方案，请由其他有权限的人员审批"), code="own_proposal"
        )
    if revision.state != S.PENDING_APPROVAL:
        raise Conflict(
            _("该版本调解方案处于“%(state)s”状态，无需审批")
            % {"state": revision.get_state_display()},
            code="not_pending_approval",
        )
    roles = authority_roles(approver)
    waiting = outstanding_requirements(revision)
    mine = [
        r
        for r in waiting
        if authority.can_give(r, roles, amount=revision.authority_amount, ceilings=ceilings())
    ]
    if not mine:
        raise Forbidden(
            _("您无权审批该方案：%(needed)s")
            % {"needed": "；".join(requirement_label(r) for r in waiting)},
            code="insufficient_authority",
        )
    if not reason and (not approve or any(r.step == authority.Step.LEGAL for r in mine)):
        raise refusal(
            "reason",
            _("驳回必须填写理由") if not approve else _("法务审核低于法定标准的方案必须填写理由"),
        )
    decision = ProposalApproval.Decision.APPROVED if approve else ProposalApproval.Decision.REFUSED
    role = next((r.value for r in (*authority.APPROVER_LADDER, Role.LEGAL) if r in roles), "")
    for req in mine:
        ProposalApproval.objects.create(
            revision=revision,
            step=req.step,
            decision=decision,
            approver=user_of(approver),
            approver_label=actor_label(approver),
            approver_role=role if req.step == authority.Step.AUTHORITY else Role.LEGAL.value,
            amount=revision.authority_amount,
            reason=reason,
            at=now,
        )
    if any(r.step == authority.Step.LEGAL for r in mine):
        Task.objects.filter(
            dispute=dispute, department=Department.LEGAL.value, kind=LEGAL_TASK_KIND, state="open"
        ).update(state=Task.State.DONE)
    if not approve:
        state = S.REFUSED
    else:
        state = S.PENDING_APPROVAL if outstanding_requirements(revision) else S.APPROVED
    set_state(locked, revision, state, now)
    notices.tell_author_of_decision(
        dispute=dispute,
        revision=revision,
        approver_label=actor_label(approver),
        reason=reason,
        at=now,
    )
    record(
        MediationKind.PROPOSAL_APPROVED if approve else MediationKind.PROPOSAL_REFUSED,
        dispute_id=dispute.pk,
        actor=approver,
        at=now,
        payload={
            "proposal": locked.pk,
            "revision": revision.number,
            "steps": [r.step.value for r in mine],
            "approver": approver.get_username(),
            "role": role,
            "amount": f"{revision.authority_amount:.2f}",
            "state": state,
        },
        reason=reason,
    )
    return locked


def proposal_approve(*, proposal: Proposal, approver, reason: str = "", at=None) -> Proposal:
    """Approve the current revision for every outstanding step the approver may give."""
    with transaction.atomic():
        return _decide(proposal=proposal, approver=approver, reason=reason, at=at, approve=True)


def proposal_refuse(*, proposal: Proposal, approver, reason: str, at=None) -> Proposal:
    """Refuse the current revision; the author revises it."""
    with transaction.atomic():
        return _decide(proposal=proposal, approver=approver, reason=reason, at=at, approve=False)
