"""/api/v1/disputes/{number}/entitlements: what the law gives the customer on the facts
known so far, with the basis of each entitlement and the dates it implies.

/api/v1/disputes/{number}/proposals…: mediation proposals (调解方案) and their approval
within authority, for staff (docs/mediation.md). The customer's side — reading and
answering through the customer link, the agreement PDF — is api.customer."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from aftersales.common.errors import Forbidden
from aftersales.disputes import selectors as dispute_selectors
from aftersales.disputes.permissions import authority_roles, can_view_proposals
from aftersales.mediation import (
    authority,
    proposal_approvals,
    proposal_drafts,
    proposal_messages,
    proposals,
    selectors,
)
from aftersales.mediation import entitlements as engine
from aftersales.mediation import proposal_selectors as proposal_reads
from aftersales.mediation import remedies as catalogue
from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role

from .proposal_schemas import (
    ERRORS,
    PROPOSAL_ERRORS,
    READ_ERRORS,
    AgreementOut,
    CustomerRemedyOut,
    agreement_out,
    remedy_out,
)

router = Router()


class DateOut(Schema):
    code: str
    label: str
    last_day: date
    ends_at: datetime  # 24:00 of the last day, Asia/Shanghai (legal.md D4)
    basis: str


class EntitlementOut(Schema):
    remedy: str
    label: str
    basis: str
    rules: list[str]
    amount: str | None
    shipping_paid_by: str | None
    merchant_deadline_days: int | None
    merchant_deadline_from: str | None
    overdue_after: DateOut | None  # past this day, not performing is deliberate delay


class NoteOut(Schema):
    code: str
    ref: str
    text: str


class WindowOut(DateOut):
    open: bool  # the claim date is inside it


class EntitlementsOut(Schema):
    number: str
    evaluated: bool
    facts: dict
    sources: dict[str, str]
    missing: dict[str, str]
    assumed: list[str]
    entitlements: list[EntitlementOut]
    notes: list[NoteOut]
    windows: list[WindowOut]


def _date_out(window: engine.Window) -> dict:
    return {
        "code": window.code,
        "label": window.label,
        "last_day": window.last_day,
        "ends_at": selectors.end_of_day(window.last_day),
        "basis": window.basis,
    }


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
                    _date_out(row.overdue_after) | {"label": _("逾期即属故意拖延")}
                    if row.overdue_after
                    else None
                ),
            }
            for row in view.rows
        ],
        "notes": [{"code": n.code, "ref": n.ref, "text": n.text} for n in view.notes],
        "windows": [_date_out(w.window) | {"open": w.open} for w in view.windows],
    }


# -- proposals and approvals (issue 5 items 3-6) ------------------------------------------
# Staff authenticate as everywhere in the API; the customer's side is api.customer.


class RemedyOut(CustomerRemedyOut):
    authority_amount: str | None = None  # the part that counts toward authority (staff only)


class WarningOut(Schema):
    code: str
    field: str
    message: str


class ShortfallOut(Schema):
    code: str
    remedy: str
    basis: str
    required: str | None
    offered: str | None
    message: str


class RequirementOut(Schema):
    step: str
    role: str
    role_label: str
    why: str
    label: str
    done: bool


class ApprovalOut(Schema):
    step: str
    decision: str
    approver: str
    role: str
    amount: str
    reason: str
    at: datetime


class RevisionOut(Schema):
    number: int
    state: str
    state_label: str
    remedies: list[RemedyOut]
    total_amount: str  # what the customer receives
    authority_amount: str  # the concession part, what the ceilings cap
    customer_pays_total: str  # what the customer owes
    warnings: list[WarningOut]
    message: str
    change_note: str
    below_minimum: bool
    shortfalls: list[ShortfallOut]
    major_incident: bool
    required_approvals: list[RequirementOut]
    approvals: list[ApprovalOut]
    author: str
    created_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    counter: dict[str, Any] | None
    customer_message: str


class ProposalOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    current_revision: int
    created_at: datetime
    revisions: list[RevisionOut]
    agreement: AgreementOut | None


class TemplateOut(Schema):
    number: str
    category: str
    standard: list[RemedyOut]
    allowed: list[dict[str, str]]  # every remedy: the category never blocks one
    usual: list[dict[str, str]]  # the usual ones for the category; others get a warning
    entitlements: list[dict[str, Any]]
    your_ceiling: str | None


class ProposalIn(Schema):
    # Loose on purpose: the remedy catalogue explains a bad line better than a type error.
    remedies: list[Any] | None = None
    note: str = Field("", max_length=2000)


class RevisionIn(Schema):
    remedies: list[Any]
    reason: str = Field(..., max_length=2000)
    note: str = Field("", max_length=2000)


class DecisionIn(Schema):
    reason: str = Field("", max_length=2000)


def _revision_out(revision) -> dict:
    done = {a.step for a in revision.approvals.all() if a.decision == a.Decision.APPROVED}
    required = []
    for raw in revision.required_approvals:
        req = authority.Requirement.from_dict(raw)
        required.append(
            {
                "step": req.step.value,
                "role": req.role.value,
                "role_label": str(Role(req.role).label),
                "why": req.why.value,
                "label": proposals.requirement_label(req),
                "done": req.step.value in done,
            }
        )
    return {
        "number": revision.number,
        "state": revision.state,
        "state_label": revision.get_state_display(),
        "remedies": [remedy_out(r) for r in revision.remedies],
        "total_amount": f"{revision.total_amount:.2f}",
        "authority_amount": f"{revision.authority_amount:.2f}",
        "customer_pays_total": f"{proposal_drafts.customer_pays_total(revision):.2f}",
        "warnings": proposal_messages.line_warnings(revision.remedies),
        "message": revision.message,
        "change_note": revision.change_note,
        "below_minimum": revision.below_minimum,
        "shortfalls": [
            s | {"message": proposal_drafts.shortfall_message(s)} for s in revision.shortfalls
        ],
        "major_incident": revision.major_incident,
        "required_approvals": required,
        "approvals": [
            {
                "step": a.step,
                "decision": a.decision,
                "approver": a.approver_label,
                "role": a.approver_role,
                "amount": f"{a.amount:.2f}",
                "reason": a.reason,
                "at": a.at,
            }
            for a in revision.approvals.all()
        ],
        "author": revision.author_label,
        "created_at": revision.created_at,
        "sent_at": revision.sent_at,
        "answered_at": revision.answered_at,
        "counter": revision.counter,
        "customer_message": revision.customer_message,
    }


def _proposal_out(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "number": proposal.dispute.number,
        "state": proposal.state,
        "state_label": proposal.get_state_display(),
        "current_revision": proposal.current_number,
        "created_at": proposal.created_at,
        "revisions": [_revision_out(r) for r in proposal.revisions.all()],
        "agreement": agreement_out(proposal),
    }


def staff_dispute(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    if not can_view_proposals(request.auth):
        raise Forbidden(_("您没有查看调解方案的权限"))
    return dispute


def _fresh(dispute, proposal_id: int) -> dict:
    return _proposal_out(proposal_reads.dispute_proposal(dispute, proposal_id))


@router.get(
    "/{number}/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="调解方案列表 / Mediation proposals",
)
def list_proposals(request: HttpRequest, number: str):
    dispute = staff_dispute(request, number)
    return [_proposal_out(p) for p in proposal_reads.dispute_proposals(dispute)]


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
