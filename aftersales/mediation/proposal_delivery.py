"""The customer link and one-time code of a sent proposal, minted when its message is
delivered and never stored: `proposal_send` writes the message with placeholders and a
reference to the revision; at delivery (notifications.delivery.message_deliver) the
renderer here creates the link (`CustomerAccess`, SHA-256 only) and the code (SHA-256
with the revision's id on the revision), puts both in the text handed to the channel,
and forgets them. The hashes are committed before the channel is called (so a link
that went out keeps working if the worker dies right after), and removed again when
the channel refuses the text."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.template.loader import render_to_string
from django.utils import timezone

from aftersales.notifications.delivery import Rendered
from aftersales.notifications.links import public_url
from aftersales.notifications.models import OutboundMessage

from .models import CustomerAccess, ProposalRevision, ProposalState

TEMPLATE = "mediation/proposal_outbound.txt"
LINK_DAYS = 30
# What the stored copy of the message shows where the customer's copy has its secrets.
LINK_SHOWN = "〔顾客链接：发送时生成，不保存〕"
CODE_SHOWN = "〔发送时生成，不保存〕"
EXPIRES_SHOWN = f"〔发送后 {LINK_DAYS} 日〕"
# The SMS: what to do and how, the proposal itself on the page the link opens (a
# proposal's lines would take three or four texts). Two texts with a public address.
SMS = "投诉{number}有处理方案待您确认：{link} 验证码为 {code}，{expires}前有效，勿告诉他人"


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def code_hash(revision_pk: int, code: str) -> str:
    return secret_hash(f"{revision_pk}:{code}")


def _text(message: str, *, link: str, code: str, expires: str) -> str:
    context = {"message": message, "link": link, "code": code, "expires": expires}
    return render_to_string(TEMPLATE, context).strip()


def stored_body(revision: ProposalRevision) -> str:
    """The message as kept in the outbox: the proposal's text, no link, no code."""
    return _text(revision.message, link=LINK_SHOWN, code=CODE_SHOWN, expires=EXPIRES_SHOWN)


def customer_link_create(dispute_id: int, at: dt.datetime) -> tuple[str, CustomerAccess]:
    """A new customer link to one dispute: the token (for the text only) and its record.
    128 random bits (22 characters: the link must fit an SMS), kept only as its hash,
    expiring, and rate-limited at the door."""
    token = secrets.token_urlsafe(16)
    access = CustomerAccess.objects.create(
        dispute_id=dispute_id,
        token_hash=secret_hash(token),
        created_at=at,
        expires_at=at + dt.timedelta(days=LINK_DAYS),
    )
    return token, access


def render_proposal(message: OutboundMessage, now: dt.datetime) -> Rendered | None:
    """The proposal message with a fresh link and code, or None when the revision is no
    longer awaiting the customer (revised, withdrawn or answered before delivery)."""
    revision = (
        ProposalRevision.objects.select_for_update()
        .filter(pk=message.params.get("revision"), state=ProposalState.SENT)
        .first()
    )
    if revision is None:
        return None
    token, access = customer_link_create(message.dispute_id, now)
    code = f"{secrets.randbelow(10**6):06d}"
    minted = code_hash(revision.pk, code)
    ProposalRevision.objects.filter(pk=revision.pk).update(code_hash=minted, code_attempts=0)

    def discard() -> None:
        """The channel refused the text: the link and code never reached anyone."""
        CustomerAccess.objects.filter(pk=access.pk).delete()
        ProposalRevision.objects.filter(pk=revision.pk, code_hash=minted).update(
            code_hash=revision.code_hash, code_attempts=revision.code_attempts
        )

    link = public_url(f"/portal/mediation/{token}/")
    expires = timezone.localtime(access.expires_at).strftime("%Y-%m-%d")
    text = _text(revision.message, link=link, code=code, expires=expires)
    sms = SMS.format(number=message.dispute.number, link=link, code=code, expires=expires)
    return Rendered(subject=message.subject, text=text, sms=sms, discard=discard)
