"""Drafting proposals (调解方案): a draft's lines checked against the catalogue, the money
rules, the law and the authority they need; revisions written whole. Used by the proposal
services (`proposals`) and read by the API, the workbench and the demo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.disputes.models import Dispute, Expectation, Task
from aftersales.disputes.permissions import authority_roles
from aftersales.disputes.timeline import actor_label
from aftersales.parties.actors import user_of
from aftersales.parties.roles import Department
from aftersales.sla import timers as sla_timers

from . import authority, money, notices, remedies, remedy_lines, statutory
from .models import Proposal, ProposalRevision, ProposalState
from .proposal_delivery import LINK_DAYS as LINK_DAYS  # read here by the demo
from .proposal_delivery import code_hash as code_hash  # read here by the demo
from .proposal_messages import problem_message, render_message
from .proposal_messages import remedy_line as remedy_line  # read here by demo, workbench
from .proposal_selectors import order_money
from .remedies import RemedyItem

S = ProposalState
NOTE_MAX = 2000
REASON_MAX = 2000
LEGAL_TASK_KIND = "proposal_review"
# A revision the customer has not answered yet gives way to a newer one.
REPLACEABLE = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.REFUSED, S.SENT})
REVISABLE = REPLACEABLE | {S.REJECTED, S.COUNTERED}
SENDABLE = frozenset({S.DRAFT, S.APPROVED})


# -- messages ------------------------------------------------------------------------------


def refusal(field: str, message: str, code: str = "validation_error") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: message})


def shortfall_message(s: dict[str, Any]) -> str:
    params = s.get("params") or {}
    if s["code"] == "refund_below_price":
        return _("退款 %(offered)s 元低于法定应退金额 %(required)s 元（%(basis)s）") % s
    if s["code"] == "compensation_below_statutory":
        return _("赔偿 %(offered)s 元低于法定赔偿 %(required)s 元（%(basis)s）") % s
    if s["code"] == "shipping_on_customer":
        return _("依法应由商家承担运费，方案却由顾客承担（%(basis)s）") % s
    if s["code"] == "deadline_too_long":
        return _("办理期限 %(days)s 日超过法定的 %(limit)s 日（%(basis)s）") % {
            **params,
            "basis": s["basis"],
        }
    if s["code"] == "customer_charged":
        return _("依法应免费修理，方案却要顾客支付 %(offered)s 元（%(basis)s）") % s
    if s["code"] == "remedy_below_request":
        return _("顾客要求%(requested)s，依法可以%(remedy)s，方案未予满足（%(basis)s）") % {
            "requested": Expectation(params["requested"]).label,
            "remedy": _entitlement_labels(s["remedy"]),
            "basis": s["basis"],
        }
    return _("方案未包含顾客依法可选的退货、换货或修理，依法可以：%(remedy)s（%(basis)s）") % {
        "remedy": _entitlement_labels(s["remedy"]),
        "basis": s["basis"],
    }


def _entitlement_labels(codes: str) -> str:
    from .selectors import ENTITLEMENT_LABELS

    return "、".join(str(ENTITLEMENT_LABELS.get(c, c)) for c in codes.split(",") if c)


# -- helpers -------------------------------------------------------------------------------


def ceilings() -> dict[str, Decimal]:
    return authority.ceilings_from(getattr(settings, "MEDIATION_AUTHORITY_CEILINGS", None))


def dispute_entitlement_list(dispute: Dispute, *, read=None) -> list[dict[str, Any]]:
    """The engine's entitlements for the dispute, in the contract's shape; empty while the
    facts are incomplete (the revision records what it was compared with). `read`: its
    `selectors.DisputeEntitlements` when already read (`disputes_entitlements`)."""
    from .selectors import dispute_entitlements

    result = (read or dispute_entitlements(dispute)).result
    return [] if result is None else result.as_dict()["entitlements"]


def current_revision(proposal: Proposal) -> ProposalRevision:
    return proposal.revisions.get(number=proposal.current_number)


def lock_proposal(proposal: Proposal) -> tuple[Dispute, Proposal, ProposalRevision]:
    """Lock the dispute, then the proposal (the same order everywhere)."""
    dispute = Dispute.objects.select_for_update().get(pk=proposal.dispute_id)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    return dispute, locked, current_revision(locked)


def set_state(proposal: Proposal, revision: ProposalRevision, state: str, at, **fields):
    ProposalRevision.objects.filter(pk=revision.pk).update(state=state, **fields)
    Proposal.objects.filter(pk=proposal.pk).update(state=state, updated_at=at)
    revision.state = state
    proposal.state = state
    for name, value in fields.items():
        setattr(revision, name, value)


@dataclass(frozen=True)
class Draft:
    """A revision's content and what the rules make of it, before it is stored."""

    items: list[RemedyItem]
    entitlements: list[dict[str, Any]]
    shortfalls: list[dict[str, Any]]
    requirements: tuple[authority.Requirement, ...]
    assessment: money.Assessment | None = None  # None: judged without the order
    warnings: tuple[remedy_lines.ProposalWarning, ...] = ()

    @property
    def assessed(self) -> money.Assessment:
        return self.assessment or money.assess(self.items)

    def lines(self) -> list[dict[str, Any]]:
        """The lines as stored on the revision: each with its share of the authority
        amount and its warnings (codes and parameters; read in the reader's language)."""
        out = []
        for i, (item, line) in enumerate(zip(self.items, self.assessed.lines, strict=True)):
            at = f"remedies.{i}."
            out.append(
                item.as_dict()
                | {
                    "authority_amount": f"{line.concession:.2f}",
                    "warnings": [w.as_dict() for w in self.warnings if w.field.startswith(at)],
                }
            )
        return out


def _invalid(problems: list[remedy_lines.Problem]) -> ValidationFailed:
    fields = {p.field: problem_message(p) for p in problems}
    return ValidationFailed(next(iter(fields.values())), code="invalid_remedies", fields=fields)


def evaluate_draft(
    dispute: Dispute,
    raw_remedies: Any,
    author,
    *,
    entitlements: list[dict[str, Any]] | None = None,
    order: money.OrderMoney | None = None,
) -> Draft:
    """Parse the remedy lines, check their money against the order, compare them with the
    entitlements, and decide the approvals; a ValidationFailed names every bad field. The
    category never refuses a remedy: an unusual one comes back as a warning."""
    items, problems = remedy_lines.parse_items(raw_remedies, dispute.category)
    if problems:
        raise _invalid(problems)
    # `entitlements`, `order`: the dispute's, when the caller has read them already (the
    # demo judges several drafts per dispute); else read here.
    order = order_money(dispute) if order is None else order
    assessed = money.assess(items, order)
    if assessed.problems:
        raise _invalid(list(assessed.problems))
    if entitlements is None:
        entitlements = dispute_entitlement_list(dispute)
    found = statutory_shortfalls(dispute, items, entitlements, order)
    requirements = authority.required_approvals(
        amount=assessed.authority,
        author_roles=authority_roles(author),
        ceilings=ceilings(),
        below_minimum=bool(found),
        major_incident=remedies.is_major_incident(items),
    )
    warnings = (*remedy_lines.category_warnings(items, dispute.category), *assessed.warnings)
    return Draft(items, entitlements, found, requirements, assessed, warnings)


def statutory_shortfalls(
    dispute: Dispute,
    items: list[RemedyItem],
    entitlements: list[dict[str, Any]],
    order: money.OrderMoney | None = None,
) -> list[dict[str, Any]]:
    """The statutory check of a draft, as `evaluate_draft` makes it (also how the demo's
    revisions are judged again): the lines against the entitlements, the customer's
    request and the order's money (read when not given)."""
    order = order_money(dispute) if order is None else order
    case = statutory.Case(dispute.expectation, dispute.claimed_amount, order)
    return [s.as_dict() for s in statutory.shortfalls(items, entitlements, case)]


def standard_draft(dispute: Dispute) -> list[dict[str, Any]]:
    """The remedy lines a new proposal is pre-filled with (the category's standard)."""
    return [i.as_dict() for i in remedies.standard_items(dispute.category, dispute.amount_paid)]


def _legal_review_task(dispute: Dispute, at: dt.datetime) -> None:
    """Legal reviews a proposal below the statutory minimum: its task (which also lets
    legal see the dispute)."""
    if Task.objects.filter(
        dispute=dispute, department=Department.LEGAL.value, kind=LEGAL_TASK_KIND, state="open"
    ).exists():
        return
    task = Task.objects.create(
        dispute=dispute,
        department=Department.LEGAL.value,
        kind=LEGAL_TASK_KIND,
        title=_("法务：审核低于法定标准的调解方案"),
    )
    sla_timers.timers_on_tasks(dispute, [task], at)


def write_revision(
    *,
    dispute: Dispute,
    proposal: Proposal,
    number: int,
    draft: Draft,
    author,
    note: str,
    change_note: str,
    at: dt.datetime,
) -> ProposalRevision:
    revision = build_revision(
        dispute=dispute,
        proposal=proposal,
        number=number,
        draft=draft,
        author=author,
        note=note,
        change_note=change_note,
        at=at,
    )
    revision.save(force_insert=True)
    state = revision.state
    Proposal.objects.filter(pk=proposal.pk).update(
        state=state, current_number=number, updated_at=at
    )
    proposal.state, proposal.current_number = state, number
    if revision.below_minimum:
        _legal_review_task(dispute, at)
    if draft.requirements:
        notices.tell_approvers(
            dispute=dispute,
            proposal=proposal,
            revision=revision,
            requirements=draft.requirements,
            at=at,
        )
    return revision


def build_revision(
    *,
    dispute: Dispute,
    proposal: Proposal,
    number: int,
    draft: Draft,
    author,
    note: str,
    change_note: str,
    at: dt.datetime,
) -> ProposalRevision:
    """A revision as drafted, unsaved (`_write_revision` stores it; the demo inserts
    many at once): awaiting approval when the draft needs any, else a draft."""
    return ProposalRevision(
        proposal=proposal,
        number=number,
        state=S.PENDING_APPROVAL if draft.requirements else S.DRAFT,
        remedies=draft.lines(),
        total_amount=draft.assessed.total,
        authority_amount=draft.assessed.authority,
        message=render_message(
            customer_name=dispute.customer.name,
            number=dispute.number,
            product=dispute.product_name,
            revision=number,
            items=draft.items,
            total=draft.assessed.total,
            customer_pays=draft.assessed.customer_pays,
            note=note,
        ),
        change_note=change_note,
        entitlements=draft.entitlements,
        shortfalls=draft.shortfalls,
        below_minimum=bool(draft.shortfalls),
        major_incident=remedies.is_major_incident(draft.items),
        required_approvals=[r.as_dict() for r in draft.requirements],
        author=None if author is None else user_of(author),  # the demo's may be absent
        author_label=actor_label(author),
        created_at=at,
    )


def customer_pays_total(revision: ProposalRevision) -> Decimal:
    """What the customer owes under a revision (买家应补), from its stored lines."""
    return money.fen(
        sum((Decimal(r["customer_pays"]) for r in revision.remedies if r.get("customer_pays")), 0)
    )


def revision_warnings(revision: ProposalRevision) -> list[dict[str, Any]]:
    """The warnings stored with a revision's lines (codes, fields, parameters)."""
    return [w for line in revision.remedies for w in line.get("warnings") or ()]


def revision_payload(proposal: Proposal, revision: ProposalRevision) -> dict[str, Any]:
    return {
        "proposal": proposal.pk,
        "revision": revision.number,
        "remedies": revision.remedies,
        "total_amount": f"{revision.total_amount:.2f}",
        "authority_amount": f"{revision.authority_amount:.2f}",
        "customer_pays_total": f"{customer_pays_total(revision):.2f}",
        "warnings": revision_warnings(revision),
        "below_minimum": revision.below_minimum,
        "shortfalls": revision.shortfalls,
        "major_incident": revision.major_incident,
        "required_approvals": revision.required_approvals,
    }


def clean_input(text: str, field: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise refusal(field, _("不能超过 %(max)s 个字符") % {"max": limit})
    return text
