"""The timeline event of a customer message that will not reach the customer: rejected
by the provider (an invalid number), reported undelivered by its receipt, refused past
the last retry, or unknown after a worker died mid-send. Every state change of a case is
an event on its timeline: this one tells the handler to reach the customer another way."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.disputes.timeline import record
from aftersales.disputes.timeline_registry import event_kinds

from .models import OutboundMessage


@event_kinds
class DeliveryKind(TextChoices):
    MESSAGE_NOT_DELIVERED = (
        "message_not_delivered",
        pgettext_lazy("timeline event", "顾客消息未能送达"),
    )


def not_delivered(message: OutboundMessage, *, failure: str, detail: str, at: dt.datetime):
    """Record that `message` failed for good (its reason as the event's text)."""
    label = OutboundMessage.Failure(failure).label
    return record(
        DeliveryKind.MESSAGE_NOT_DELIVERED,
        dispute_id=message.dispute_id,
        actor_label="system",
        reason=f"{label}：{detail}" if detail else str(label),
        payload={
            "message_id": message.pk,
            "channel": message.channel,
            "template": message.template,
            "failure": failure,
            "attempts": message.attempts,
        },
        at=at,
    )
