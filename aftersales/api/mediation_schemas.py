"""Shapes of the staff mediation endpoints (api.mediation): the statutory entitlements of a
dispute with their dates, and proposals with their revisions and approvals, rendered from
the models. What the customer reads too is in api.proposal_schemas."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from aftersales.mediation import (
    authority,
    proposal_drafts,
    proposal_messages,
    proposals,
    selectors,
)
from aftersales.mediation import entitlements as engine
from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role

from .proposal_schemas import AgreementOut, CustomerRemedyOut, agreement_out, remedy_out

# -- entitlements -------------------------------------------------------------------------


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


def date_out(window: engine.Window) -> dict:
    return {
        "code": window.code,
        "label": window.label,
        "last_day": window.last_day,
        "ends_at": selectors.end_of_day(window.last_day),
        "basis": window.basis,
    }


# -- proposals ----------------------------------------------------------------------------


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


def revision_out(revision) -> dict:
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


def proposal_out(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "number": proposal.dispute.number,
        "state": proposal.state,
        "state_label": proposal.get_state_display(),
        "current_revision": proposal.current_number,
        "created_at": proposal.created_at,
        "revisions": [revision_out(r) for r in proposal.revisions.all()],
        "agreement": agreement_out(proposal),
    }
