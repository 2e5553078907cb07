"""The customer's side of mediation (调解协商): accept, reject or counter (还价) the
proposal sent to them, through the customer link they received with it. Acceptance
settles the dispute through the lifecycle (`settle`), generates the settlement
agreement (调解协议书) and creates the after-sale orders (售后单) that carry out its lines
(`execution_lines`), all in the same transaction.

How the customer authenticates: every sent revision's message carries a customer link
(a random token; only its SHA-256 is stored, valid 30 days, scoped to that one dispute)
and a six-digit one-time code for that revision (only its SHA-256, with the revision's
id), both minted when the message is delivered (proposal_delivery). The link lets the
customer read, reject and counter. Accepting — which settles the dispute and makes a
binding agreement — needs the link and the code: the link travels in a URL (browser
history, proxies, link previews, a forwarded message), the code is only typed in. Five
wrong codes lock that revision's code, and with it every acceptance of the revision,
until a new revision is sent."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales.common.money import parse_yuan
from aftersales.disputes import timeline
from aftersales.disputes.lifecycle import Action, Owner
from aftersales.disputes.services import dispute_apply
from aftersales.fulfilment.aftersale_orders import aftersale_orders_from_agreement
from aftersales.parties.actors import customer_actor

from . import agreement, execution_lines, notices, remedies
from .models import CustomerAccess, Proposal, ProposalRevision, ProposalState
from .proposal_delivery import code_hash
from .proposal_drafts import lock_proposal, set_state
from .timeline import CUSTOMER_ACCEPTED, MediationKind

S = ProposalState
MESSAGE_MAX = 1000
CODE_ATTEMPTS = 5


Method = agreement.ConfirmationMethod


def customer_access_for(token: str, *, at: dt.datetime | None = None) -> CustomerAccess | None:
    """The unexpired customer link a token stands for, or None."""
    if not token or len(token) > 200:
        return None
    now = at or timezone.now()
    access = (
        CustomerAccess.objects.select_related("dispute")
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest(), expires_at__gt=now)
        .first()
    )
    if access is not None and (
        access.last_used_at is None or now - access.last_used_at > dt.timedelta(minutes=5)
    ):
        CustomerAccess.objects.filter(pk=access.pk).update(last_used_at=now)
    return access


def customer_proposal(access: CustomerAccess, number: str, proposal_id: int) -> Proposal:
    """A proposal of the dispute the link is for; anything else answers 404."""
    proposal = (
        Proposal.objects.filter(
            pk=proposal_id, dispute_id=access.dispute_id, dispute__number=number
        )
        .select_related("dispute")
        .first()
    )
    if proposal is None:
        raise NotFound(_("找不到该调解方案"))
    return proposal


def _superseded(number: int) -> Conflict:
    return Conflict(
        _("商家已发来新的方案，请先阅读新方案再答复；接受时请使用最新短信中的验证码。"),
        code="revision_superseded",
        fields={"revision": _("已有新的方案版本")},
        extra={"revision": number},
    )


def _not_superseded(proposal: Proposal, read: int | None) -> None:
    """An answer that names the revision the customer read (its number) is not applied
    to a newer one sent since, unread: 409 `revision_superseded`, nothing answered."""
    if read is None:
        return
    sent = (
        ProposalRevision.objects.filter(proposal_id=proposal.pk, sent_at__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if sent is not None and sent != read:
        raise _superseded(sent)


def _answerable(proposal: Proposal, read: int | None = None):
    dispute, locked, revision = lock_proposal(proposal)
    if read is not None and revision.number != read:  # sent in the meantime
        raise _superseded(revision.number)
    if revision.state != S.SENT:
        raise Conflict(
            _("该调解方案当前不需要您答复（%(state)s）") % {"state": revision.get_state_display()},
            code="not_awaiting_answer",
        )
    return dispute, locked, revision


def _message(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MESSAGE_MAX:
        message = _("留言不能超过 %(max)s 个字符") % {"max": MESSAGE_MAX}
        raise ValidationFailed(message, fields={"message": message})
    return text


def _check_code(proposal: Proposal, code: str) -> None:
    """The one-time code of the revision sent, required to accept. A locked code refuses
    every acceptance, with a code or without; a wrong try counts even though the
    acceptance is refused (its own transaction)."""
    with transaction.atomic():
        revision = (
            ProposalRevision.objects.select_for_update()
            .filter(proposal_id=proposal.pk)
            .order_by("-number")
            .first()
        )
        if revision is None or revision.state != S.SENT:
            return  # the acceptance itself says why not
        if revision.code_attempts >= CODE_ATTEMPTS:
            raise Forbidden(
                _("验证码错误次数过多，已锁定，不能再接受本版方案；请联系客服重新发送调解方案"),
                code="code_locked",
            )
        if not revision.code_hash:
            raise Conflict(_("调解方案尚未送达，请收到验证码后再确认接受"), code="not_delivered")
        if not code:
            message = _("请填写随调解方案发给您的 6 位验证码")
            raise ValidationFailed(message, code="code_required", fields={"code": message})
        right = code_hash(revision.pk, code) == revision.code_hash
        if not right:
            ProposalRevision.objects.filter(pk=revision.pk).update(
                code_attempts=F("code_attempts") + 1
            )
    if not right:
        message = _("验证码不正确")
        raise ValidationFailed(message, code="code_invalid", fields={"code": message})


def proposal_accept(
    *,
    proposal: Proposal,
    access: CustomerAccess,
    code: str | None = None,
    ip: str | None = None,
    user_agent: str = "",
    at: dt.datetime | None = None,
    read: int | None = None,  # the revision number the customer answers
):
    """The customer accepts the revision sent to them, confirming with its one-time code:
    the dispute settles (lifecycle `settle`) and the settlement agreement is generated.
    Returns the agreement."""
    if proposal.dispute_id != access.dispute_id:
        raise NotFound(_("找不到该调解方案"))
    _not_superseded(proposal, read)  # before the code: an old one is no wrong try
    _check_code(proposal, str(code or "").strip())
    with transaction.atomic():
        return _accept(
            proposal=proposal,
            method=Method.ONE_TIME_CODE,
            ip=ip,
            user_agent=user_agent,
            now=at or timezone.now(),
            read=read,
        )


def _accept(*, proposal: Proposal, method: str, ip, user_agent: str, now: dt.datetime, read=None):
    dispute, locked, revision = _answerable(proposal, read)
    dispute_apply(
        dispute=dispute,
        action=Action.SETTLE,
        actor=customer_actor(dispute.customer),
        version=dispute.version,
        reason=CUSTOMER_ACCEPTED(id=locked.pk, n=revision.number),
        payload={"proposal": locked.pk, "revision": revision.number, "by": "customer"},
        at=now,
        via=Owner.CUSTOMER_ACCEPTANCE,
    )
    set_state(locked, revision, S.ACCEPTED, now, answered_at=now)
    timeline.record(
        MediationKind.PROPOSAL_ACCEPTED,
        dispute=dispute,
        actor=customer_actor(dispute.customer),
        at=now,
        payload={
            "proposal": locked.pk,
            "revision": revision.number,
            "method": method,
            "ip": ip,
            "total_amount": f"{revision.total_amount:.2f}",
        },
    )
    record = agreement.agreement_generate(
        proposal=locked,
        revision=revision,
        method=method,
        confirmed_at=now,
        ip=ip,
        user_agent=user_agent[:300],
    )
    items = [remedies.RemedyItem.from_dict(d) for d in revision.remedies]
    aftersale_orders_from_agreement(
        dispute=dispute,
        agreement_id=record.pk,
        lines=execution_lines.agreed_lines(
            items, shipped=execution_lines.has_shipped(dispute.order)
        ),
        actor=customer_actor(dispute.customer),
        at=now,
    )
    notices.tell_handlers_of_answer(dispute=dispute, proposal=locked, revision=revision, at=now)
    return record


@transaction.atomic
def proposal_reject(
    *,
    proposal: Proposal,
    access: CustomerAccess,
    message: str = "",
    ip: str | None = None,
    at: dt.datetime | None = None,
    read: int | None = None,  # the revision number the customer answers
) -> Proposal:
    """The customer says no. The dispute stays in `proposing`: the agent revises the
    proposal, or escalates."""
    if proposal.dispute_id != access.dispute_id:
        raise NotFound(_("找不到该调解方案"))
    now = at or timezone.now()
    text = _message(message)
    dispute, locked, revision = _answerable(proposal, read)
    set_state(locked, revision, S.REJECTED, now, answered_at=now, customer_message=text)
    timeline.record(
        MediationKind.PROPOSAL_REJECTED,
        dispute=dispute,
        actor=customer_actor(dispute.customer),
        at=now,
        payload={"proposal": locked.pk, "revision": revision.number, "ip": ip},
        reason=text,
    )
    notices.tell_handlers_of_answer(dispute=dispute, proposal=locked, revision=revision, at=now)
    return locked


def _counter_amount(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    return parse_yuan(raw, field="amount", ceiling=remedies.MAX_AMOUNT)  # InvalidAmount is a 422


@transaction.atomic
def proposal_counter(
    *,
    proposal: Proposal,
    access: CustomerAccess,
    remedy: str | None,
    amount=None,
    message: str = "",
    ip: str | None = None,
    at: dt.datetime | None = None,
    read: int | None = None,  # the revision number the customer answers
) -> Proposal:
    """The customer's counter-offer (还价): the remedy they want, the amount, and why.
    Any remedy of the catalogue may be asked for; whether it is granted is the next
    revision's business."""
    if proposal.dispute_id != access.dispute_id:
        raise NotFound(_("找不到该调解方案"))
    now = at or timezone.now()
    try:
        code = remedies.RemedyCode(remedy) if remedy else None
    except ValueError:
        text = _("未知的解决办法“%(code)s”，可选：%(choices)s") % {
            "code": remedy,
            "choices": ", ".join(c.value for c in remedies.RemedyCode),
        }
        raise ValidationFailed(text, fields={"remedy": text}) from None
    value = _counter_amount(amount)
    text = _message(message)
    if code is None and value is None and not text:
        required = _("请填写您希望的解决办法、金额或留言")
        raise ValidationFailed(required, fields={"remedy": required})
    dispute, locked, revision = _answerable(proposal, read)
    counter = {
        "remedy": code.value if code else None,
        "amount": None if value is None else f"{value:.2f}",
        "message": text,
    }
    set_state(
        locked, revision, S.COUNTERED, now, answered_at=now, counter=counter, customer_message=text
    )
    timeline.record(
        MediationKind.PROPOSAL_COUNTERED,
        dispute=dispute,
        actor=customer_actor(dispute.customer),
        at=now,
        payload={"proposal": locked.pk, "revision": revision.number, "counter": counter, "ip": ip},
        reason=text,
    )
    notices.tell_handlers_of_answer(dispute=dispute, proposal=locked, revision=revision, at=now)
    return locked
