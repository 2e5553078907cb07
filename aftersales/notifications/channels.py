"""Channels that carry customer messages (SMS, e-mail, the portal inbox). The delivery
step hands each one a `Delivery` — the only place a customer link or one-time code ever
exists in clear text — and stores nothing of that text but what the message already had.

Which backend carries a message is `adapters.for_channel(message.channel)`: the SMS
backend (settings.AFTERSALES_SMS_BACKEND), Django's e-mail, or the portal inbox — unless
`CUSTOMER_CHANNEL` (a dotted path; tests and development fakes) names one backend for
every channel. In development (DEBUG) every delivery also lands in `outbox` below.

An adapter is a class with `send(delivery)`, returning the provider's message id (or
None). It raises `ChannelError` only when the provider surely did not take the message —
`permanent=True` when it never will (an invalid number, an unsubscribed customer: the
message fails at once), otherwise it is tried again with backoff — and lets any other
error (a timeout after the request went out) propagate: the message then stays `sending`
until it is settled. `delivery.key` is the attempt's idempotency key; pass it to the
provider (Aliyun SendSms `OutId`, a mail `Message-ID`). An adapter that can look a key up
afterwards also has `status(key, *, phone, at)`: True when the provider took that
attempt, False when it never saw it. Without it, an attempt whose worker died mid-send is
marked failed, "unknown whether delivered", never sent twice. An adapter with delivery
receipts has `receipt(key, *, phone, at)` -> `Receipt` or None (nothing known yet)."""

from __future__ import annotations

import datetime as dt
import sys
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Delivery:
    message_id: int
    key: str  # the attempt's idempotency key, "outbound-<message id>-<attempt>"
    channel: str  # OutboundMessage.Channel
    phone: str
    email: str
    subject: str
    text: str  # may carry secrets: never store or log it


@dataclass(frozen=True)
class Receipt:
    """What the provider's delivery receipt says of one attempt."""

    delivered: bool | None  # True reached the phone, False did not, None still waiting
    detail: str = ""  # why not, in words (with the provider's code)


class ChannelError(Exception):
    """The channel did not take the message. Its text must not quote the delivery.
    `permanent`: it never will (do not retry); `detail`: why, in words the staff read on
    the dispute page."""

    def __init__(self, message: str, *, permanent: bool = False, detail: str = ""):
        super().__init__(message)
        self.permanent = permanent
        self.detail = detail or message


# What MemoryChannel (and, in development, every adapter) delivered in this process,
# newest last (tests read it, as django.core.mail.outbox).
outbox: deque[Delivery] = deque(maxlen=1000)


class MemoryChannel:
    def send(self, delivery: Delivery) -> None:
        outbox.append(delivery)

    def status(self, key: str, **context) -> bool:
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
        raise ChannelError(
            "no customer channel configured (settings.CUSTOMER_CHANNEL)",
            detail=_("未配置顾客消息通道"),
        )


class PortalInbox:
    """The portal inbox: every message is shown there (selectors.portal_messages), so
    there is nothing to send; the message is `sent` at once and `delivered` when the
    customer reads it (delivery.message_read)."""

    def send(self, delivery: Delivery) -> None:
        return None

    def status(self, key: str, **context) -> bool:
        return True


class Recorded:
    """Development: an adapter whose deliveries also land in `outbox`."""

    def __init__(self, inner):
        self.inner = inner

    def send(self, delivery: Delivery):
        provider_id = self.inner.send(delivery)
        outbox.append(delivery)
        return provider_id

    def __getattr__(self, name: str):  # status, receipt: only when the adapter has them
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)


def accepted(backend, key: str, *, phone: str = "", at: dt.datetime | None = None) -> bool | None:
    """Whether the channel took the attempt with this key: True, False, or None when the
    channel cannot tell."""
    status = getattr(backend, "status", None)
    return None if status is None else bool(status(key, phone=phone, at=at))


def delivered(message_id: int) -> Delivery | None:
    """The latest delivery of a message recorded in this process's outbox, if any."""
    return next((d for d in reversed(outbox) if d.message_id == message_id), None)
