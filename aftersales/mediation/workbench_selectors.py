"""Reads the workbench's mediation pages need beyond the API's: whom a revision waits
for among the user's approvals (the 待我审批 inbox, the approval panel), which QC tasks
were told the goods are ready, whether this investigation is concluded, and the draft
check an author sees before sending. Read-only; the rules are the domain modules'
(authority, proposal_approvals, proposal_drafts, investigation_milestones)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.permissions import (
    authority_roles,
    can_approve_proposals,
    scope_disputes,
)

from . import authority, investigation_milestones, proposal_drafts
from .models import ProposalApproval, ProposalRevision, ProposalState
from .proposal_messages import remedy_line, requirement_label
from .timeline import MediationKind


def _outstanding(revision: ProposalRevision) -> list[authority.Requirement]:
    """`proposal_approvals.outstanding_requirements` on prefetched approvals."""
    done = [
        a.step for a in revision.approvals.all() if a.decision == ProposalApproval.Decision.APPROVED
    ]
    required = [authority.Requirement.from_dict(r) for r in revision.required_approvals]
    return authority.outstanding(required, done)


def approvals_mine(user, revision: ProposalRevision) -> list[authority.Requirement]:
    """The outstanding approvals of `revision` that `user` may give now (what the
    approval service would record for them): none for its author, none unless it waits
    for approval."""
    if revision.state != ProposalState.PENDING_APPROVAL:
        return []
    if revision.author_id is not None and revision.author_id == getattr(user, "pk", None):
        return []
    roles = authority_roles(user)
    return [
        r
        for r in _outstanding(revision)
        if authority.can_give(
            r, roles, amount=revision.authority_amount, ceilings=proposal_drafts.ceilings()
        )
    ]


@dataclass(frozen=True)
class Waiting:
    """One revision in someone's approvals inbox."""

    revision: ProposalRevision
    mine: list[str]  # the approvals this user gives, in words
    outstanding: list[str]  # every approval still missing, in words
    lines: list[str]
    entitlements: list[dict[str, Any]]  # label, amount, basis (as compared when drafted)
    shortfalls: list[str]

    @property
    def total(self) -> str:
        return f"{self.revision.total_amount:,.2f}"

    @property
    def authority(self) -> str:
        return f"{self.revision.authority_amount:,.2f}"

    @property
    def proposal(self):
        return self.revision.proposal

    @property
    def dispute(self) -> Dispute:
        return self.revision.proposal.dispute


def _entitlement_summary(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from .selectors import ENTITLEMENT_LABELS

    return [
        {
            "label": str(ENTITLEMENT_LABELS.get(e.get("remedy"), e.get("remedy"))),
            "amount": e.get("amount"),
            "basis": e.get("basis", ""),
        }
        for e in stored
    ]


def approvals_waiting_for(user) -> list[Waiting]:
    """Revisions waiting for an approval `user` may give, on disputes in their scope,
    oldest first: proposals above an author's ceiling, major-incident applications
    (重大质量事故处理申请, management) and proposals below the statutory minimum (legal)."""
    from aftersales.mediation.remedies import RemedyItem

    if not can_approve_proposals(user):
        return []
    visible = scope_disputes(user, Dispute.objects.all()).values("pk")
    revisions = (
        ProposalRevision.objects.filter(
            state=ProposalState.PENDING_APPROVAL, proposal__dispute__in=visible
        )
        .select_related("proposal__dispute__customer")
        .prefetch_related("approvals")
        .order_by("created_at", "id")
    )
    out = []
    for revision in revisions:
        mine = approvals_mine(user, revision)
        if not mine:
            continue
        out.append(
            Waiting(
                revision=revision,
                mine=[requirement_label(r) for r in mine],
                outstanding=[requirement_label(r) for r in _outstanding(revision)],
                lines=[remedy_line(RemedyItem.from_dict(d)) for d in revision.remedies],
                entitlements=_entitlement_summary(revision.entitlements),
                shortfalls=[proposal_drafts.shortfall_message(s) for s in revision.shortfalls],
            )
        )
    return out


def qc_notified_tasks(dispute: Dispute) -> set[int]:
    """The tasks QC has been told the goods or photos are ready for."""
    return {
        task
        for task in Event.objects.filter(
            dispute_id=dispute.pk, kind=MediationKind.QC_NOTIFIED
        ).values_list("payload__task", flat=True)
        if task is not None
    }


def investigation_concluded(dispute: Dispute) -> bool:
    """Concluded since the dispute last entered investigation."""
    return investigation_milestones._concluded_already(dispute)


@dataclass(frozen=True)
class DraftCheck:
    """What the rules make of a draft before it is stored: the amount that counts
    toward authority, the author's ceiling, the approvals it would need, the statutory
    shortfalls, the warnings and the message the customer would read."""

    total: Any
    authority_amount: Any
    ceiling: Any  # None: no limit
    required: list[str]
    shortfalls: list[str]
    warnings: list[str]
    lines: list[str]
    message: str

    @property
    def total_text(self) -> str:
        return f"{self.total:,.2f}"

    @property
    def authority_text(self) -> str:
        return f"{self.authority_amount:,.2f}"

    @property
    def ceiling_text(self) -> str:
        return "" if self.ceiling is None else f"{self.ceiling:,.2f}"


def draft_check(dispute: Dispute, raw_remedies: Any, author, note: str = "") -> DraftCheck:
    """`proposal_drafts.evaluate_draft` for a look before drafting; raises its
    ValidationFailed for bad lines. Writes nothing."""
    from .proposal_messages import render_message, warning_message

    draft = proposal_drafts.evaluate_draft(dispute, raw_remedies, author)
    assessed = draft.assessed
    return DraftCheck(
        total=assessed.total,
        authority_amount=assessed.authority,
        ceiling=authority.ceiling_of(authority_roles(author), proposal_drafts.ceilings()),
        required=[requirement_label(r) for r in draft.requirements],
        shortfalls=[proposal_drafts.shortfall_message(s) for s in draft.shortfalls],
        warnings=[warning_message(w) for w in draft.warnings],
        lines=[remedy_line(i) for i in draft.items],
        message=render_message(
            customer_name=dispute.customer.name,
            number=dispute.number,
            product=dispute.product_name,
            revision=1,
            items=draft.items,
            total=assessed.total,
            customer_pays=assessed.customer_pays,
            note=note,
        ),
    )


def author_ceiling(user):
    """The most `user` may grant alone (None: no limit)."""
    return authority.ceiling_of(authority_roles(user), proposal_drafts.ceilings())


__all__ = [
    "DraftCheck",
    "Waiting",
    "approvals_mine",
    "approvals_waiting_for",
    "author_ceiling",
    "draft_check",
    "investigation_concluded",
    "qc_notified_tasks",
]
