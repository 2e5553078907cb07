"""Writes of messages: to customers (the caller records each on the dispute timeline;
the worker delivers them, see `message_deliver`) and to staff (inbox, then e-mail in the
background)."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from aftersales.common.fastinsert import insert_many

from .channels import ChannelError, Delivery, channel
from .messages import Acknowledgement, acknowledgement_text
from .models import Notification, OutboundMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACK_NEXT_STEP_HOURS = 24
logger = logging.getLogger(__name__)


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


# -- delivering customer messages ----------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # what the customer reads; may carry a secret, so it is never stored


# template → renderer(message, now): the text to hand over, or None when there is nothing
# left to say (the message is cancelled). A renderer that mints a secret stores only its
# hash, in the delivery's transaction. Apps register theirs in AppConfig.ready().
Renderer = Callable[[OutboundMessage, dt.datetime], Rendered | None]
RENDERERS: dict[str, Renderer] = {}


def register_renderer(template: str, renderer: Renderer) -> None:
    RENDERERS[template] = renderer


def message_deliver(*, message_id: int, at: dt.datetime | None = None) -> str | None:
    """Deliver one pending customer message: render it (a registered renderer mints its
    link and code now), hand the text to the channel, mark it sent. The renderer's
    writes (the hashes) commit only if the channel took the text; a channel that refuses
    leaves the message `failed`. Returns the new state, or None when the message is not
    pending (already delivered, or another worker holds it)."""
    now = at or timezone.now()
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=message_id, state=OutboundMessage.State.PENDING)
            .select_related("customer")
            .first()
        )
        if message is None:
            return None
        renderer = RENDERERS.get(message.template)
        state = OutboundMessage.State.SENT
        try:
            with transaction.atomic():
                rendered = (
                    renderer(message, now) if renderer else Rendered(message.subject, message.body)
                )
                if rendered is None:
                    state = OutboundMessage.State.CANCELLED
                else:
                    channel().send(
                        Delivery(
                            message_id=message.pk,
                            channel=message.channel,
                            phone=message.customer.phone,
                            email=message.customer.email,
                            subject=rendered.subject,
                            text=rendered.text,
                        )
                    )
        except ChannelError as exc:
            logger.warning("customer message %s not delivered: %s", message.pk, exc)
            state = OutboundMessage.State.FAILED
        OutboundMessage.objects.filter(pk=message.pk).update(
            state=state, sent_at=now if state == OutboundMessage.State.SENT else None
        )
    return state


def messages_deliver_later(message_ids: list[int]) -> None:
    """After the caller's transaction commits, the worker delivers these messages."""

    def enqueue() -> None:
        from .tasks import deliver_customer_messages

        deliver_customer_messages.enqueue(message_ids)

    transaction.on_commit(enqueue)
