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

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden
from aftersales.disputes.lifecycle import Action, Owner, Status, allowed_actions
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import can_propose
from aftersales.disputes.services import dispute_apply
from aftersales.disputes.timeline import record
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.services import ack_channel, messages_deliver_later
from aftersales.parties.actors import user_of

from . import proposal_delivery
from .models import Proposal, ProposalRevision
from .proposal_approvals import outstanding_requirements
from .proposal_delivery import LINK_DAYS as LINK_DAYS  # read here by the demo
from .proposal_delivery import code_hash as code_hash  # read here by the demo
from .proposal_drafts import (
    NOTE_MAX,
    REASON_MAX,
    REPLACEABLE,
    REVISABLE,
    SENDABLE,
    S,
    clean_input,
    evaluate_draft,
    lock_proposal,
    refusal,
    revision_payload,
    set_state,
    standard_draft,
    write_revision,
)
from .proposal_messages import remedy_line as remedy_line  # read here by demo, workbench
from .proposal_messages import requirement_label
from .timeline import NEW_PROPOSAL_SENT, MediationKind

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
    note = clean_input(note, "note", NOTE_MAX)
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
    revision = write_revision(
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
    reason = clean_input(reason, "reason", REASON_MAX)
    if not reason:
        raise refusal("reason", _("修改调解方案必须填写修改原因"))
    note = clean_input(note, "note", NOTE_MAX)
    dispute, locked, previous = lock_proposal(proposal)
    if previous.state not in REVISABLE:
        raise Conflict(
            _("调解方案已%(state)s，不能再修改") % {"state": previous.get_state_display()},
            code="proposal_closed",
        )
    draft = evaluate_draft(dispute, remedies_raw, actor)
    if previous.state in REPLACEABLE:
        ProposalRevision.objects.filter(pk=previous.pk).update(state=S.SUPERSEDED)
    revision = write_revision(
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
    reason = clean_input(reason, "reason", REASON_MAX)
    if not reason:
        raise refusal("reason", _("撤回调解方案必须填写原因"))
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
