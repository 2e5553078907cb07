"""Reads of the outbox: which customer messages a delivery run takes."""

import datetime as dt

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
