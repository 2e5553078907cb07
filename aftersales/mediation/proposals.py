"""Writes of mediation proposals (调解方案): drafting from the remedy catalogue, revising
(every revision kept whole), approval within authority and legal review (审批), sending
to the customer, withdrawing. Each service is one transaction and appends its timeline
events; the dispute moves only through `dispute_apply` (propose, revise).

The rules live in pure modules: `remedies` and `remedy_lines` (catalogue, parsing),
`money` (restitution or concession, refund caps, bundles, what the customer owes),
`statutory` (below the statutory minimum?), `authority` (who must approve); the words in
`proposal_messages`. The customer's answers are in `negotiation`, the settlement
agreement in `agreement`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.lifecycle import Action, Owner, Status, allowed_actions
from aftersales.disputes.models import Dispute, Expectation, Task
from aftersales.disputes.permissions import authority_roles, can_approve_proposals, can_propose
from aftersales.disputes.services import actor_label, dispute_apply
from aftersales.disputes.timeline import record
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.services import ack_channel, messages_deliver_later
from aftersales.parties.actors import user_of
from aftersales.parties.roles import Department, Role
from aftersales.sla import timers as sla_timers

from . import authority, money, notices, proposal_delivery, remedies, remedy_lines, statutory
from .models import Proposal, ProposalApproval, ProposalRevision, ProposalState
from .proposal_delivery import LINK_DAYS as LINK_DAYS  # read here by the demo
from .proposal_delivery import code_hash as code_hash  # read here by the demo
from .proposal_messages import problem_message, render_message, requirement_label
from .proposal_messages import remedy_line as remedy_line  # read here by demo, workbench
from .proposal_selectors import order_money
from .remedies import RemedyItem
from .timeline import NEW_PROPOSAL_SENT, MediationKind

S = ProposalState
NOTE_MAX = 2000
REASON_MAX = 2000
LEGAL_TASK_KIND = "proposal_review"
# A revision the customer has not answered yet gives way to a newer one.
REPLACEABLE = frozenset({S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.REFUSED, S.SENT})
REVISABLE = REPLACEABLE | {S.REJECTED, S.COUNTERED}
SENDABLE = frozenset({S.DRAFT, S.APPROVED})


# -- messages ------------------------------------------------------------------------------


def _refuse(field: str, message: str, code: str = "validation_error") -> ValidationFailed:
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


def _write_revision(
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


def _clean(text: str, field: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise _refuse(field, _("不能超过 %(max)s 个字符") % {"max": limit})
    return text


# -- services ------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, dispute: Dispute, actor, remedies_raw: Any = None, note: str = "", at=None
) -> Proposal:
    """Draft a proposal; without remedy lines, the category's standard remedy. It needs
    approval when above the author's ceiling, a major-incident application, or below the
    statutory minimum; else the author may send it at once."""
    if not can_propose(actor, dispute):
        raise Forbidden(_("您没有提出调解方案的权限"))
    now = at or timezone.now()
    note = _clean(note, "note", NOTE_MAX)
    locked = Dispute.objects.select_for_update().select_related("customer").get(pk=dispute.pk)
    possible = allowed_actions(locked.status)
    if Action.PROPOSE not in possible and Action.REVISE not in possible:
        raise Conflict(
            _("投诉处于“%(status)s”状态，调查核实后才能提出调解方案")
            % {"status": locked.get_status_display()},
            code="not_mediating",
        )
    live = Proposal.objects.filter(dispute=locked).exclude(state__in=[S.ACCEPTED, S.WITHDRAWN])
    existing = live.first()
    if existing is not None:
        raise Conflict(
            _("该投诉已有进行中的调解方案（编号 %(id)s），请在其上修改") % {"id": existing.pk},
            code="proposal_exists",
            extra={"proposal": existing.pk},
        )
    draft = evaluate_draft(
        locked, standard_draft(locked) if remedies_raw is None else remedies_raw, actor
    )
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                dispute=locked, created_by=user_of(actor), created_at=now, updated_at=now
            )
    except IntegrityError:  # pragma: no cover - the dispute row lock serialises this
        raise Conflict(_("该投诉已有进行中的调解方案"), code="proposal_exists") from None
    revision = _write_revision(
        dispute=locked,
        proposal=proposal,
        number=1,
        draft=draft,
        author=actor,
        note=note,
        change_note="",
        at=now,
    )
    payload = revision_payload(proposal, revision)
    record(
        MediationKind.PROPOSAL_DRAFTED, dispute_id=locked.pk, actor=actor, at=now, payload=payload
    )
    return proposal


@transaction.atomic
def proposal_revise(
    *, proposal: Proposal, actor, remedies_raw: Any, reason: str, note: str = "", at=None
) -> Proposal:
    """A new revision (after a counter-offer, a rejection, a refusal, or before sending).
    The earlier one stays as it was; unanswered, it is superseded."""
    if not can_propose(actor, proposal.dispute):
        raise Forbidden(_("您没有修改调解方案的权限"))
    now = at or timezone.now()
    reason = _clean(reason, "reason", REASON_MAX)
    if not reason:
        raise _refuse("reason", _("修改调解方案必须填写修改原因"))
    note = _clean(note, "note", NOTE_MAX)
    dispute, locked, previous = lock_proposal(proposal)
    if previous.state not in REVISABLE:
        raise Conflict(
            _("调解方案已%(state)s，不能再修改") % {"state": previous.get_state_display()},
            code="proposal_closed",
        )
    draft = evaluate_draft(dispute, remedies_raw, actor)
    if previous.state in REPLACEABLE:
        ProposalRevision.objects.filter(pk=previous.pk).update(state=S.SUPERSEDED)
    revision = _write_revision(
        dispute=dispute,
        proposal=locked,
        number=previous.number + 1,
        draft=draft,
        author=actor,
        note=note,
        change_note=reason,
        at=now,
    )
    record(
        MediationKind.PROPOSAL_REVISED,
        dispute_id=dispute.pk,
        actor=actor,
        at=now,
        payload=revision_payload(locked, revision) | {"previous_state": previous.state},
        reason=reason,
    )
    return locked


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
    reason = _clean(reason, "reason", REASON_MAX)
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
        raise _refuse(
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


@dataclass(frozen=True)
class Sent:
    proposal: Proposal
    revision: ProposalRevision
    message: OutboundMessage  # delivered by the worker, which mints the link and code


@transaction.atomic
def proposal_send(*, proposal: Proposal, actor, at=None) -> Sent:
    """Send the current revision to the customer, once every approval it needs is in.
    The first proposal moves the dispute to `proposing` (propose); a later one is a
    `revise` of the mediation. The message is delivered after commit by the worker,
    which mints its customer link and one-time code (proposal_delivery): until then the
    revision has no code, and neither is ever stored in clear."""
    if not can_propose(actor, proposal.dispute):
        raise Forbidden(_("您没有发送调解方案的权限"))
    now = at or timezone.now()
    dispute, locked, revision = lock_proposal(proposal)
    waiting = outstanding_requirements(revision)
    if revision.state == S.REFUSED:
        raise Conflict(_("该版本调解方案已被驳回，请修改后重新提交"), code="proposal_refused")
    if waiting:
        raise Conflict(
            _("调解方案尚未获得必要的审批，不能发送：%(needed)s")
            % {"needed": "；".join(requirement_label(r) for r in waiting)},
            code="approval_required",
            extra={"required_approvals": [r.as_dict() for r in waiting]},
        )
    if revision.state not in SENDABLE:
        raise Conflict(
            _("该版本调解方案处于“%(state)s”状态，不能发送")
            % {"state": revision.get_state_display()},
            code="not_sendable",
        )
    if dispute.status == Status.PROPOSING:
        action = Action.REVISE
        why = revision.change_note or NEW_PROPOSAL_SENT()
    else:
        action, why = Action.PROPOSE, ""
    dispute_apply(
        dispute=dispute,
        action=action,
        actor=actor,
        version=dispute.version,
        reason=why,
        payload={"proposal": locked.pk, "revision": revision.number},
        at=now,
        via=Owner.PROPOSAL_SEND,
    )
    set_state(locked, revision, S.SENT, now, sent_at=now, code_hash="", code_attempts=0)
    customer = dispute.customer
    message = OutboundMessage.objects.create(
        dispute=dispute,
        customer=customer,
        channel=ack_channel(customer),
        template="proposal",
        subject=_("投诉 %(number)s 的调解方案") % {"number": dispute.number},
        body=proposal_delivery.stored_body(revision),
        params={"revision": revision.pk},
        created_at=now,
    )
    messages_deliver_later([message.pk])
    record(
        MediationKind.PROPOSAL_SENT,
        dispute_id=dispute.pk,
        actor=actor,
        at=now,
        payload={
            "proposal": locked.pk,
            "revision": revision.number,
            "message_id": message.pk,
            "channel": message.channel,
            "total_amount": f"{revision.total_amount:.2f}",
        },
    )
    return Sent(locked, revision, message)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor, reason: str, at=None) -> Proposal:
    """Withdraw a proposal not yet accepted (the case escalates, or it is replaced by a
    new one); why is required. The dispute's state is the lifecycle's business."""
    if not can_propose(actor, proposal.dispute):
        raise Forbidden(_("您没有撤回调解方案的权限"))
    now = at or timezone.now()
    reason = _clean(reason, "reason", REASON_MAX)
    if not reason:
        raise _refuse("reason", _("撤回调解方案必须填写原因"))
    dispute, locked, revision = lock_proposal(proposal)
    if locked.state in (S.ACCEPTED, S.WITHDRAWN):
        raise Conflict(
            _("调解方案已%(state)s，不能撤回") % {"state": locked.get_state_display()},
            code="proposal_closed",
        )
    if revision.state in REPLACEABLE:
        ProposalRevision.objects.filter(pk=revision.pk).update(state=S.WITHDRAWN)
    Proposal.objects.filter(pk=locked.pk).update(state=S.WITHDRAWN, updated_at=now)
    locked.state = S.WITHDRAWN
    record(
        MediationKind.PROPOSAL_WITHDRAWN,
        dispute_id=dispute.pk,
        actor=actor,
        at=now,
        payload={"proposal": locked.pk, "revision": revision.number},
        reason=reason,
    )
    return locked
