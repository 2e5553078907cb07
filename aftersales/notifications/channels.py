"""Channels that carry customer messages (SMS, e-mail, platform, portal). The delivery
step hands each one a `Delivery` — the only place a customer link or one-time code ever
exists in clear text — and stores nothing of that text but what the message already had.

`CUSTOMER_CHANNEL` (a dotted path, read at each delivery) names the backend. Without it:
`MemoryChannel` in development and tests, `UnconfiguredChannel` in production, which
refuses, so messages are marked failed rather than silently dropped. A gateway adapter
is a class with `send(delivery)` that raises `ChannelError` only when the gateway surely
did not take the message (refused it, or it never left us), and lets any other error
(a timeout after the request went out) propagate: the message then stays `sending` until
it is settled. `delivery.key` is the attempt's idempotency key; pass it to the gateway
(Aliyun SendSms `OutId`, Tencent `SessionContext`, a mail `Message-ID`). An adapter that
can look a key up afterwards (a delivery-status query) also has `status(key)`: True when
the gateway took that attempt, False when it never saw it. Without it, an attempt whose
worker died mid-send is marked failed, "unknown whether delivered", never sent twice."""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Delivery:
    message_id: int
    key: str  # the attempt's idempotency key, "outbound-<message id>-<attempt>"
    channel: str  # OutboundMessage.Channel
    phone: str
    email: str
    subject: str
    text: str  # may carry secrets: never store or log it


class ChannelError(Exception):
    """The channel did not take the message. Its text must not quote the delivery."""


# What MemoryChannel delivered in this process, newest last (tests read it, as
# django.core.mail.outbox).
outbox: deque[Delivery] = deque(maxlen=1000)


class MemoryChannel:
    def send(self, delivery: Delivery) -> None:
        outbox.append(delivery)

    def status(self, key: str) -> bool:
        return any(d.key == key for d in outbox)


class ConsoleChannel(MemoryChannel):
    """Development only: prints each delivery (links and codes included) to stdout."""

    def send(self, delivery: Delivery) -> None:
        if not settings.DEBUG:
            raise ChannelError("ConsoleChannel is for development (DEBUG) only")
        super().send(delivery)
        sys.stdout.write(f"--- {delivery.channel} → {delivery.phone or delivery.email}\n")
        sys.stdout.write(f"{delivery.subject}\n{delivery.text}\n---\n")


class UnconfiguredChannel:
    def send(self, delivery: Delivery) -> None:
        raise ChannelError("no customer channel configured (settings.CUSTOMER_CHANNEL)")


def channel():
    default = (
        "aftersales.notifications.channels.MemoryChannel"
        if settings.DEBUG
        else "aftersales.notifications.channels.UnconfiguredChannel"
    )
    return import_string(getattr(settings, "CUSTOMER_CHANNEL", "") or default)()


def accepted(backend, key: str) -> bool | None:
    """Whether the channel took the attempt with this key: True, False, or None when the
    channel cannot tell."""
    status = getattr(backend, "status", None)
    return None if status is None else bool(status(key))


def delivered(message_id: int) -> Delivery | None:
    """The latest MemoryChannel delivery of a message in this process, if any."""
    return next((d for d in reversed(outbox) if d.message_id == message_id), None)
