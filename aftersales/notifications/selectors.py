"""Reads of the outbox: which customer messages a delivery run takes; each dispute's
messages with how their delivery went (the dispute page), and the portal inbox."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from .delivery_rules import PENDING_WINDOW, SENDING_TIMEOUT
from .models import OutboundMessage

State = OutboundMessage.State


def due_for_delivery(now: dt.datetime) -> Q:
    """Messages a delivery may take: pending ones, refused ones whose retry is due, and
    attempts left `sending` past SENDING_TIMEOUT (their worker died mid-send)."""
    return (
        Q(state=State.PENDING)
        | Q(state=State.FAILED, retry_at__lte=now)
        | Q(state=State.SENDING, attempted_at__lt=now - SENDING_TIMEOUT)
    )


def messages_due(*, now: dt.datetime, limit: int) -> list[int]:
    """Ids of the messages the scheduled sweep delivers, oldest first, at most `limit`;
    pending ones only when written within PENDING_WINDOW."""
    return list(
        OutboundMessage.objects.filter(due_for_delivery(now))
        .exclude(state=State.PENDING, created_at__lt=now - PENDING_WINDOW)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def unread_count(user) -> int:
    """How many of `user`'s inbox notifications are unread (the navigation's badge)."""
    from .models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class MessageRow:
    """One customer message as the dispute page shows it."""

    id: int
    template: str
    subject: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    attempts: int
    failure: str
    failure_label: str
    failure_detail: str  # the provider's reason in words, e.g. "手机号码格式错误（…）"
    retry_at: dt.datetime | None  # a failed message still to be tried again
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    provider_message_id: str


def _rows(qs) -> list[MessageRow]:
    return [
        MessageRow(
            id=m.pk,
            template=m.template,
            subject=m.subject,
            channel=m.channel,
            channel_label=str(m.get_channel_display()),
            state=m.state,
            state_label=str(m.get_state_display()),
            attempts=m.attempts,
            failure=m.failure,
            failure_label=str(m.get_failure_display()) if m.failure else "",
            failure_detail=m.failure_detail,
            retry_at=m.retry_at,
            created_at=m.created_at,
            sent_at=m.sent_at,
            delivered_at=m.delivered_at,
            read_at=m.read_at,
            provider_message_id=m.provider_message_id,
        )
        for m in qs.defer("body", "params").order_by("created_at", "id")
    ]


def messages_for(dispute_id: int) -> list[MessageRow]:
    """Every message to the customer of a dispute, oldest first, with its delivery."""
    return _rows(OutboundMessage.objects.filter(dispute_id=dispute_id))


def failed_messages(dispute_id: int) -> list[MessageRow]:
    """The dispute's messages that did not reach the customer: failed for good, or
    failed and waiting for a retry (`retry_at`)."""
    return _rows(OutboundMessage.objects.filter(dispute_id=dispute_id, state=State.FAILED))


@dataclass(frozen=True)
class PortalMessage:
    id: int
    subject: str
    body: str  # as stored: never a link or code (those went only to the phone or mailbox)
    at: dt.datetime
    read: bool


def portal_messages(dispute_id: int) -> list[PortalMessage]:
    """The dispute's messages as the customer's portal inbox shows them — every message,
    whatever channel also carried it (cancelled ones were never said), oldest first."""
    return [
        PortalMessage(
            id=m.pk, subject=m.subject, body=m.body, at=m.created_at, read=bool(m.read_at)
        )
        for m in OutboundMessage.objects.filter(dispute_id=dispute_id)
        .exclude(state=State.CANCELLED)
        .order_by("created_at", "id")
    ]
