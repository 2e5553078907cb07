"""/api/v1/disputes/{number}/entitlements: what the law gives the customer on the facts
known so far, with the basis of each entitlement and the dates it implies.

/api/v1/disputes/{number}/proposals…: mediation proposals (调解方案) and their approval
within authority, for staff (docs/mediation.md). The customer's side — reading and
answering through the customer link, the agreement PDF — is api.customer. Shapes and
their rendering: api.mediation_schemas."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja import Status as Reply

from aftersales.common.errors import Forbidden
from aftersales.disputes import selectors as dispute_selectors
from aftersales.disputes.permissions import authority_roles, can_view_proposals
from aftersales.mediation import (
    authority,
    proposal_approvals,
    proposal_drafts,
    proposals,
    selectors,
)
from aftersales.mediation import proposal_selectors as proposal_reads
from aftersales.mediation import remedies as catalogue

from .mediation_schemas import (
    DecisionIn,
    EntitlementsOut,
    ProposalIn,
    ProposalOut,
    RevisionIn,
    TemplateOut,
    date_out,
    proposal_out,
)
from .proposal_schemas import ERRORS, PROPOSAL_ERRORS, READ_ERRORS, remedy_out

router = Router()


@router.get(
    "/{number}/entitlements",
    response={200: EntitlementsOut, **ERRORS},
    summary="法定权益 / Statutory entitlements",
)
def get_entitlements(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    view = selectors.dispute_entitlements_view(dispute)
    gathered = view.dispute_facts
    return {
        "number": dispute.number,
        "evaluated": view.evaluated,
        "facts": gathered.facts.as_dict() if gathered.facts else {},
        "sources": gathered.sources,
        "missing": gathered.missing,
        "assumed": list(gathered.assumed),
        "entitlements": [
            row.entitlement.as_dict()
            | {
                "label": row.label,
                "rules": list(row.entitlement.rules),
                "merchant_deadline_from": row.deadline_from,
                "overdue_after": (
                    date_out(row.overdue_after) | {"label": _("逾期即属故意拖延")}
                    if row.overdue_after
                    else None
                ),
            }
            for row in view.rows
        ],
        "notes": [{"code": n.code, "ref": n.ref, "text": n.text} for n in view.notes],
        "windows": [date_out(w.window) | {"open": w.open} for w in view.windows],
    }


# -- proposals and approvals (issue 5 items 3-6) ------------------------------------------
# Staff authenticate as everywhere in the API; the customer's side is api.customer.


def staff_dispute(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    if not can_view_proposals(request.auth):
        raise Forbidden(_("您没有查看调解方案的权限"))
    return dispute


def _fresh(dispute, proposal_id: int) -> dict:
    return proposal_out(proposal_reads.dispute_proposal(dispute, proposal_id))


@router.get(
    "/{number}/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="调解方案列表 / Mediation proposals",
)
def list_proposals(request: HttpRequest, number: str):
    dispute = staff_dispute(request, number)
    return [proposal_out(p) for p in proposal_reads.dispute_proposals(dispute)]


@router.get(
    "/{number}/proposals/template",
    response={200: TemplateOut, **ERRORS},
    summary="新方案的标准解决办法 / Pre-filled standard remedy",
)
def proposal_template(request: HttpRequest, number: str):
    dispute = staff_dispute(request, number)
    ceiling = authority.ceiling_of(authority_roles(request.auth), proposal_drafts.ceilings())
    return {
        "number": dispute.number,
        "category": dispute.category,
        "standard": [remedy_out(d) for d in proposal_drafts.standard_draft(dispute)],
        "allowed": [{"code": c.value, "label": str(c.label)} for c in catalogue.RemedyCode],
        "usual": [
            {"code": c.value, "label": str(c.label)} for c in catalogue.usual(dispute.category)
        ],
        "entitlements": proposal_drafts.dispute_entitlement_list(dispute),
        "your_ceiling": None if ceiling is None else f"{ceiling:.2f}",
    }


@router.post(
    "/{number}/proposals",
    response={201: ProposalOut, **PROPOSAL_ERRORS},
    summary="拟定调解方案 / Draft a proposal (standard remedy when none given)",
)
def create_proposal(request: HttpRequest, number: str, payload: ProposalIn):
    dispute = staff_dispute(request, number)
    proposal = proposals.proposal_create(
        dispute=dispute, actor=request.auth, remedies_raw=payload.remedies, note=payload.note
    )
    return Reply(201, _fresh(dispute, proposal.pk))


@router.get(
    "/{number}/proposals/{proposal_id}",
    response={200: ProposalOut, **READ_ERRORS},
    summary="调解方案 / One proposal with its revisions",
)
def get_proposal(request: HttpRequest, number: str, proposal_id: int):
    return _fresh(staff_dispute(request, number), proposal_id)


@router.post(
    "/{number}/proposals/{proposal_id}/revisions",
    response={201: ProposalOut, **PROPOSAL_ERRORS},
    summary="修改调解方案 / Revise",
)
def revise_proposal(request: HttpRequest, number: str, proposal_id: int, payload: RevisionIn):
    dispute = staff_dispute(request, number)
    proposals.proposal_revise(
        proposal=proposal_reads.dispute_proposal(dispute, proposal_id),
        actor=request.auth,
        remedies_raw=payload.remedies,
        reason=payload.reason,
        note=payload.note,
    )
    return Reply(201, _fresh(dispute, proposal_id))


@router.post(
    "/{number}/proposals/{proposal_id}/approve",
    response={200: ProposalOut, **PROPOSAL_ERRORS},
    summary="审批通过 / Approve",
)
def approve_proposal(request: HttpRequest, number: str, proposal_id: int, payload: DecisionIn):
    dispute = staff_dispute(request, number)
    proposal_approvals.proposal_approve(
        proposal=proposal_reads.dispute_proposal(dispute, proposal_id),
        approver=request.auth,
        reason=payload.reason,
    )
    return _fresh(dispute, proposal_id)


@router.post(
    "/{number}/proposals/{proposal_id}/refuse",
    response={200: ProposalOut, **PROPOSAL_ERRORS},
    summary="审批驳回 / Refuse",
)
def refuse_proposal(request: HttpRequest, number: str, proposal_id: int, payload: DecisionIn):
    dispute = staff_dispute(request, number)
    proposal_approvals.proposal_refuse(
        proposal=proposal_reads.dispute_proposal(dispute, proposal_id),
        approver=request.auth,
        reason=payload.reason,
    )
    return _fresh(dispute, proposal_id)


@router.post(
    "/{number}/proposals/{proposal_id}/send",
    response={200: ProposalOut, **PROPOSAL_ERRORS},
    summary="发送给顾客 / Send to the customer",
)
def send_proposal(request: HttpRequest, number: str, proposal_id: int):
    dispute = staff_dispute(request, number)
    proposals.proposal_send(
        proposal=proposal_reads.dispute_proposal(dispute, proposal_id), actor=request.auth
    )
    return _fresh(dispute, proposal_id)


@router.post(
    "/{number}/proposals/{proposal_id}/withdraw",
    response={200: ProposalOut, **PROPOSAL_ERRORS},
    summary="撤回 / Withdraw",
)
def withdraw_proposal(request: HttpRequest, number: str, proposal_id: int, payload: DecisionIn):
    dispute = staff_dispute(request, number)
    proposals.proposal_withdraw(
        proposal=proposal_reads.dispute_proposal(dispute, proposal_id),
        actor=request.auth,
        reason=payload.reason,
    )
    return _fresh(dispute, proposal_id)
