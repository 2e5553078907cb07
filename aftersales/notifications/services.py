"""Writes of messages: to customers (the caller records each on the dispute timeline)
and to staff (inbox, then e-mail in the background)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from aftersales.common.fastinsert import insert_many

from .messages import Acknowledgement, acknowledgement_text
from .models import Notification, OutboundMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACK_NEXT_STEP_HOURS = 24


def ack_channel(customer) -> str:
    if customer.phone.startswith("1"):
        return OutboundMessage.Channel.SMS
    if customer.email:
        return OutboundMessage.Channel.EMAIL
    return OutboundMessage.Channel.PORTAL


def _acknowledgement(dispute, at: dt.datetime) -> OutboundMessage:
    subject, body = acknowledgement_text(
        Acknowledgement(
            number=dispute.number,
            customer_name=dispute.customer.name,
            received_at_display=at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            next_step_hours=ACK_NEXT_STEP_HOURS,
        )
    )
    return OutboundMessage(
        dispute=dispute,
        customer=dispute.customer,
        channel=ack_channel(dispute.customer),
        template="acknowledgement",
        subject=subject,
        body=body,
        created_at=at,
    )


def acknowledge_intake(*, dispute, at: dt.datetime | None = None) -> OutboundMessage:
    """Tell the customer at once: received, the number, and when to expect the next step."""
    message = _acknowledgement(dispute, at or timezone.now())
    message.save()
    return message


def acknowledge_intakes(disputes) -> list[OutboundMessage]:
    """The bulk path of `acknowledge_intake`, for imports: one INSERT for many."""
    messages = [_acknowledgement(d, d.received_at) for d in disputes]
    insert_many(messages)
    return messages


def notify_staff(notes: list[Notification]) -> list[Notification]:
    """Put notifications in staff inboxes; after commit, a background task e-mails those
    whose recipient has an address."""
    if not notes:
        return notes
    Notification.objects.bulk_create(notes)
    ids = [n.pk for n in notes]

    def enqueue() -> None:
        from .tasks import email_notifications

        email_notifications.enqueue(ids)

    transaction.on_commit(enqueue)
    return notes
