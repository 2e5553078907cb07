"""A dispute's conversation with its customer, both ways in time order — what the dispute
page and the customer's portal show: the customer's messages (timeline events) and every
message we sent them with its delivery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aftersales.disputes.models import Dispute, Event
from aftersales.mediation.remedies import RemedyCode
from aftersales.mediation.timeline import MediationKind
from aftersales.notifications.models import OutboundMessage

from .customer_messages import MessageKind


@dataclass(frozen=True)
class Entry:
    """One message of the conversation. `direction`: "in" (the customer's) or "out"
    (ours); `state`/`state_label` and `channel_label` for ours only (delivery);
    `kind`: "customer_message", or the OutboundMessage template ("acknowledgement",
    "proposal", "staff_reply", …)."""

    direction: str
    at: dt.datetime
    text: str
    author: str
    kind: str
    subject: str = ""
    channel: str = ""
    channel_label: str = ""
    state: str = ""
    state_label: str = ""
    attachments: tuple[int, ...] = ()
    message_id: int | None = None
    event_id: int | None = None
    failure: str = ""  # why delivering ours failed, in words


def counter_text(counter: dict) -> str:
    """The customer's counter to a proposal in words: what they asked for instead."""
    parts = [_("对处理方案提出了不同意见")]
    remedy = counter.get("remedy")
    if remedy in RemedyCode.values:
        parts.append(_("希望：%(remedy)s") % {"remedy": RemedyCode(remedy).label})
    if counter.get("amount"):
        parts.append(_("金额 %(amount)s 元") % {"amount": counter["amount"]})
    if counter.get("message"):
        parts.append(str(counter["message"]))
    return "；".join(str(p) for p in parts)


def conversation(dispute: Dispute, *, timeline: list[Event] | None = None) -> list[Entry]:
    """Both directions in time order: the customer's messages and counters to proposals
    (from the timeline) and every message we sent them (OutboundMessages, with their
    delivery state). For the dispute page and the portal alike: nothing internal (notes,
    contacts) is in it.
    `timeline`: the dispute's events when already read."""
    kinds = (
        MessageKind.CUSTOMER_MESSAGE,
        MessageKind.STAFF_REPLY,
        MediationKind.PROPOSAL_COUNTERED,
    )
    if timeline is None:
        timeline = list(Event.objects.filter(dispute=dispute, kind__in=kinds))
    entries: list[Entry] = []
    for event in timeline:
        payload = event.payload or {}
        if event.kind == MessageKind.CUSTOMER_MESSAGE:
            text = str(payload.get("message", ""))
        elif event.kind == MediationKind.PROPOSAL_COUNTERED:
            text = counter_text(payload.get("counter") or {})
        else:
            continue
        entries.append(
            Entry(
                direction="in",
                at=event.at,
                text=text,
                author=event.actor_label,
                kind=str(event.kind),
                attachments=tuple(payload.get("attachments") or ()),
                event_id=event.pk,
            )
        )
    authors = {  # message id → who wrote it
        (e.payload or {}).get("message_id"): e.actor_label
        for e in timeline
        if e.kind == MessageKind.STAFF_REPLY
    }
    for message in OutboundMessage.objects.filter(dispute=dispute):
        entries.append(
            Entry(
                direction="out",
                at=message.created_at,
                text=message.body,
                author=authors.get(message.pk, ""),
                kind=message.template,
                subject=message.subject,
                channel=message.channel,
                channel_label=str(message.get_channel_display()),
                state=message.state,
                state_label=str(message.get_state_display()),
                message_id=message.pk,
                failure=getattr(message, "failure_detail", "") or "",
            )
        )
    entries.sort(key=lambda e: (e.at, 0 if e.direction == "in" else 1, e.event_id or e.message_id))
    return entries
