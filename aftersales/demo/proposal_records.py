"""The records a demo proposal leaves once drafted (`demo_proposals`), written as the
proposal services write them: approvals by someone other than the author who may give
them (`authority.can_give`), legal's reasoned approval of a draft below the statutory
minimum; sending (`proposal_send` and its delivery: the customer link and one-time code
as hashes only — the tokens themselves are thrown away, as delivery does — the message
as stored, the propose or revise step's proposal and revision); the customer's answer
(`negotiation`); on acceptance the settle step and the agreement (`agreement_generate`),
a handful rendered as PDF (the demo agent's latest), the others records the agreement
endpoint answers 404 for (rendering takes most of a second each)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aftersales.common.fastinsert import build, insert_many
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import actor_label, new_event, stored_text
from aftersales.mediation import authority, proposal_delivery, proposal_drafts
from aftersales.mediation.models import (
    CustomerAccess,
    Proposal,
    ProposalApproval,
    ProposalRevision,
    ProposalState,
    SettlementAgreement,
)
from aftersales.mediation.negotiation import Method
from aftersales.mediation.timeline import CUSTOMER_ACCEPTED, MediationKind
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.services import ack_channel
from aftersales.parties.roles import Role
from aftersales.parties.selectors import roles_of

S = ProposalState
APPROVERS = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT)
RENDERED_AGREEMENTS = 1
APPROVAL_REASONS = ("顾客损失有凭证，金额合理", "同意，尽快履行", "按公司政策可以")
LEGAL_REASONS = (
    "顾客表示愿意先考虑补偿方案；已告知其依法可要求退货、换货或修理，同意发送",
    "方案低于法定标准，但顾客已知悉法定权利并希望先协商补偿，同意发送，须在方案中保留其权利",
)


def _between(a: dt.datetime, b: dt.datetime, share: float) -> dt.datetime:
    return (a + (b - a) * share).replace(microsecond=0)


@dataclass
class Written:
    """What the proposals added, for the rest of the demo."""

    proposals: int = 0
    revisions: int = 0
    approvals: int = 0
    agreements: int = 0
    rendered: int = 0
    tasks: int = 0
    below_minimum: int = 0
    # (dispute id, step time) -> (payload, reason, actor, actor label) of the step
    steps: dict[tuple[int, dt.datetime], tuple[dict, str, Any, str]] = field(default_factory=dict)
    # (dispute, accepted at, author, amount): money finance pays out under an agreement
    payouts: list[tuple[Dispute, dt.datetime, Any, Decimal]] = field(default_factory=list)
    # dispute id -> [(legal task, created, done or None)]
    legal_tasks: dict[int, list[tuple[Task, dt.datetime, dt.datetime | None]]] = field(
        default_factory=dict
    )


@dataclass
class Ctx:
    rng: random.Random
    now: dt.datetime
    users: dict[Role, Any]
    limits: dict[str, Decimal]
    out: Written
    events: list[Event] = field(default_factory=list)


@dataclass
class Drafted:
    dispute: Dispute
    proposal: Proposal
    revision: ProposalRevision
    draft: proposal_drafts.Draft
    step: Any  # demo_proposals.Step: the propose or revise step it was sent at
    author: Any
    state: str  # where the customer left it
    answered_at: dt.datetime | None
    legal_task: Task | None = None
    access: CustomerAccess | None = None
    message: OutboundMessage | None = None
    code: str = ""
    agreement: SettlementAgreement | None = None
    approval_rows: list[ProposalApproval] = field(default_factory=list)


def send(ctx: Ctx, r: Drafted) -> None:
    """What `proposal_send` writes besides the state: the customer link, the message
    with its one-time code, the propose or revise step's proposal and revision."""
    d, at = r.dispute, r.step.at
    token = secrets.token_urlsafe(32)
    r.code = f"{secrets.randbelow(10**6):06d}"
    r.access = build(
        CustomerAccess,
        dispute_id=d.pk,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=at,
        expires_at=at + dt.timedelta(days=proposal_delivery.LINK_DAYS),
    )
    # Delivered at once: the stored message never holds the link or the code.
    r.message = build(
        OutboundMessage,
        dispute_id=d.pk,
        customer_id=d.customer_id,
        channel=ack_channel(d.customer),
        template="proposal",
        subject=f"投诉 {d.number} 的调解方案",
        body=proposal_delivery.stored_body(r.revision),
        state=OutboundMessage.State.SENT,
        created_at=at,
        sent_at=at,
    )


def _approvals(ctx: Ctx, r: Drafted) -> list[ProposalApproval]:
    """Each approval the draft needs, before it was sent: the amount by the lowest
    approver who may give it (never the author), legal's review with a reason."""
    rows = []
    revision, amount = r.revision, r.revision.authority_amount
    needed = list(r.draft.requirements)
    for i, req in enumerate(needed):
        approver = _approver(ctx, req, amount, r.author)
        legal = req.step == authority.Step.LEGAL
        at = _between(revision.created_at, revision.sent_at, 0.3 + 0.4 * i / len(needed))
        reason = ctx.rng.choice(LEGAL_REASONS if legal else APPROVAL_REASONS)
        roles = roles_of(approver)
        role = (
            Role.LEGAL.value
            if legal
            else next((x.value for x in authority.APPROVER_LADDER if x in roles), "")
        )
        label = actor_label(approver)
        rows.append(
            build(
                ProposalApproval,
                revision=revision,
                step=req.step.value,
                decision=ProposalApproval.Decision.APPROVED,
                approver=approver,
                approver_label=label,
                approver_role=role,
                amount=amount,
                reason=reason,
                at=at,
            )
        )
        state = S.APPROVED if i == len(needed) - 1 else S.PENDING_APPROVAL
        payload = {
            "proposal": r.proposal.pk,
            "revision": revision.number,
            "steps": [req.step.value],
            "approver": approver.get_username(),
            "role": role,
            "amount": f"{amount:.2f}",
            "state": state,
        }
        ctx.events.append(
            new_event(
                MediationKind.PROPOSAL_APPROVED,
                dispute_id=r.dispute.pk,
                actor=approver,
                actor_label=label,
                at=at,
                payload=payload,
                reason=reason,
            )
        )
        if legal and r.legal_task is not None:
            # The review task, open from the draft until legal's approval.
            legal_tasks = ctx.out.legal_tasks.setdefault(r.dispute.pk, [])
            legal_tasks.append((r.legal_task, revision.created_at, at))
    r.approval_rows = rows
    return rows


def _approver(ctx: Ctx, req: authority.Requirement, amount: Decimal, author):
    if req.step == authority.Step.LEGAL:
        return ctx.users[Role.LEGAL]
    for role in APPROVERS:
        user = ctx.users.get(role)
        if user is None or user == author:
            continue
        if authority.can_give(req, roles_of(user), amount=amount, ceilings=ctx.limits):
            return user
    raise AssertionError(f"no demo user may give {req}")  # pragma: no cover


def _sent_and_answered(ctx: Ctx, r: Drafted, agreements: list) -> None:
    d, revision, at = r.dispute, r.revision, r.step.at
    kind = (
        MediationKind.PROPOSAL_DRAFTED if revision.number == 1 else MediationKind.PROPOSAL_REVISED
    )
    payload = proposal_drafts.revision_payload(r.proposal, revision)
    if revision.number > 1:
        payload |= {"previous_state": S.COUNTERED}
    label = actor_label(r.author)
    ctx.events.append(
        new_event(
            kind,
            dispute_id=r.dispute.pk,
            actor=r.author,
            actor_label=label,
            at=revision.created_at,
            payload=payload,
            reason=revision.change_note,
        )
    )
    if revision.state == S.SENT:
        # Still awaiting the customer: the one-time code in the message works.
        revision.code_hash = proposal_delivery.code_hash(revision.pk, r.code)
        ProposalRevision.objects.filter(pk=revision.pk).update(code_hash=revision.code_hash)
    step = {"proposal": r.proposal.pk, "revision": revision.number}
    ctx.out.steps[(d.pk, at)] = (step, r.step.reason, r.author, label)
    sent = step | {
        "message_id": r.message.pk,
        "channel": r.message.channel,
        "total_amount": f"{revision.total_amount:.2f}",
    }
    ctx.events.append(
        new_event(
            MediationKind.PROPOSAL_SENT,
            dispute_id=r.dispute.pk,
            actor=r.author,
            actor_label=label,
            at=at,
            payload=sent,
        )
    )
    answered = r.answered_at
    customer = f"顾客 {d.customer.name}"
    if r.state == S.COUNTERED:
        payload = step | {"counter": revision.counter, "ip": None}
        ctx.events.append(
            new_event(
                MediationKind.PROPOSAL_COUNTERED,
                dispute_id=r.dispute.pk,
                actor=None,
                actor_label=customer,
                at=answered,
                payload=payload,
                reason=revision.customer_message,
            )
        )
    elif r.state == S.REJECTED:
        ctx.events.append(
            new_event(
                MediationKind.PROPOSAL_REJECTED,
                dispute_id=r.dispute.pk,
                actor=None,
                actor_label=customer,
                at=answered,
                payload=step | {"ip": None},
                reason=revision.customer_message,
            )
        )
    elif r.state == S.ACCEPTED:
        # As the customer's acceptance writes it: the reason as a code, its text stored.
        why = CUSTOMER_ACCEPTED(id=r.proposal.pk, n=revision.number)
        named = step | {"by": "customer"} | why.as_payload()
        ctx.out.steps[(d.pk, answered)] = (named, stored_text(why), None, "system")
        accepted = step | {
            "method": Method.PORTAL_CLICK,
            "ip": None,
            "total_amount": f"{revision.total_amount:.2f}",
        }
        ctx.events.append(
            new_event(
                MediationKind.PROPOSAL_ACCEPTED,
                dispute_id=r.dispute.pk,
                actor=None,
                actor_label=customer,
                at=answered,
                payload=accepted,
            )
        )
        r.agreement = _agreement(r)
        agreements.append(r.agreement)
        if revision.total_amount:
            ctx.out.payouts.append((d, answered, r.author, revision.total_amount))


def _agreement(r: Drafted) -> SettlementAgreement:
    """The record `agreement_generate` makes, without the PDF; the confirming staff is
    the last approver, else the author."""
    revision = r.revision
    last = r.approval_rows[-1] if r.approval_rows else None
    return build(
        SettlementAgreement,
        proposal=r.proposal,
        revision=revision,
        dispute_id=r.dispute.pk,
        pdf=b"",
        sha256="",
        customer_method=Method.PORTAL_CLICK,
        customer_confirmed_at=r.answered_at,
        staff_confirmed_by=last.approver if last else revision.author,
        staff_confirmed_label=last.approver_label if last else revision.author_label,
        staff_confirmed_at=last.at if last else revision.sent_at,
        generated_at=r.answered_at,
    )


def _render(revisions: list[Drafted], agent) -> int:
    """The PDFs of the latest agreements still being carried out, the demo agent's
    first: `agreement_data` and `render_pdf`, as `agreement_generate` makes them."""
    from aftersales.mediation.agreement import agreement_data, render_pdf

    live = (Status.EXECUTING, Status.FOLLOW_UP)
    chosen = sorted(
        (r for r in revisions if r.agreement is not None and r.dispute.status in live),
        key=lambda r: (
            agent is None or r.dispute.assignee_id != agent.pk,
            -r.answered_at.timestamp(),
        ),
    )[:RENDERED_AGREEMENTS]
    for r in chosen:
        data = agreement_data(
            proposal=r.proposal,
            revision=r.revision,
            method=r.agreement.customer_method,
            confirmed_at=r.answered_at,
            ip=None,
            generated_at=r.answered_at,
        )
        pdf = render_pdf(data)
        r.agreement.pdf, r.agreement.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    return len(chosen)


def _agreement_event(r: Drafted) -> Event:
    a = r.agreement
    payload = {
        "proposal": r.proposal.pk,
        "revision": r.revision.number,
        "agreement": a.pk,
        "sha256": a.sha256,
        "bytes": len(a.pdf),
    }
    return new_event(
        MediationKind.AGREEMENT_GENERATED,
        dispute_id=r.dispute.pk,
        actor_label="system",
        payload=payload,
        at=r.answered_at,
    )


def write(ctx: Ctx, drafted: list[Drafted]) -> None:
    """Everything after drafting, for revisions already stored."""
    approvals, accesses, messages, agreements = [], [], [], []
    for r in drafted:
        approvals += _approvals(ctx, r)
        if r.revision.sent_at is not None:
            accesses.append(r.access)
            r.message.params = {"revision": r.revision.pk}  # inserted by now
            messages.append(r.message)
    insert_many(accesses)
    insert_many(messages)
    insert_many(approvals)
    tasks = [r.legal_task for r in drafted if r.legal_task is not None]
    insert_many(tasks)
    for r in drafted:
        _sent_and_answered(ctx, r, agreements)
    ctx.out.rendered = _render(drafted, ctx.users.get(Role.AGENT))
    insert_many(agreements)
    for r in drafted:
        if r.agreement is not None:
            ctx.events.append(_agreement_event(r))
    ctx.out.revisions = len(drafted)
    ctx.out.approvals, ctx.out.agreements, ctx.out.tasks = (
        len(approvals),
        len(agreements),
        len(tasks),
    )
