"""Reads of mediation proposals: a dispute's proposals with their revisions, approvals
and agreement, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.disputes.models import Dispute

from .models import Proposal, ProposalApproval, ProposalRevision, SettlementAgreement


def _proposals(dispute: Dispute) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(dispute=dispute)
        .select_related("dispute", "agreement")
        .defer("agreement__pdf")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ProposalRevision.objects.order_by("number").prefetch_related(
                    Prefetch("approvals", queryset=ProposalApproval.objects.order_by("at", "id"))
                ),
            )
        )
        .order_by("created_at", "id")
    )


def dispute_proposals(dispute: Dispute) -> list[Proposal]:
    return list(_proposals(dispute))


def dispute_proposal(dispute: Dispute, proposal_id: int) -> Proposal:
    """One proposal of this dispute; another dispute's answers 404."""
    proposal = _proposals(dispute).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("该投诉没有调解方案 %(id)s") % {"id": proposal_id})
    return proposal


def proposal_agreement(proposal: Proposal) -> SettlementAgreement:
    agreement = SettlementAgreement.objects.filter(proposal=proposal).first()
    if agreement is None:
        raise NotFound(_("该调解方案尚未达成调解协议书"))
    if not agreement.sha256:  # demo data: the record without a rendered PDF
        raise NotFound(_("该调解协议书没有生成 PDF（演示数据）"))
    return agreement
