"""Delivering customer messages (the worker's side of the outbox): `message_deliver`
hands one message to the adapter of its channel (adapters.for_channel), `receipts_check`
asks the SMS provider for delivery receipts, `message_read` records the customer
reading it in the portal. States: pending → sending → sent → delivered, or failed
(retried with backoff while the failure is transient), or cancelled."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound

from .adapters import for_channel
from .channels import ChannelError, Delivery, accepted
from .delivery_rules import RECEIPT_EVERY, RECEIPT_WINDOW, retry_time
from .links import public_url
from .messages import acknowledgement_sms, sms_signature, with_signature
from .models import OutboundMessage
from .selectors import due_for_delivery
from .timeline import not_delivered

logger = logging.getLogger("aftersales.notifications.delivery")
State = OutboundMessage.State
Failure = OutboundMessage.Failure


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # what the customer reads; may carry a secret, so it is never stored
    sms: str = ""  # its short form for an SMS (the full text is in the portal), if any
    # Undoes what the renderer minted (a link, a code) when the channel surely did not
    # take the text; None when there is nothing to undo.
    discard: Callable[[], None] | None = None


# template → renderer(message, now): the text to hand over, or None when there is nothing
# left to say (the message is cancelled). A renderer that mints a secret stores only its
# hash, committed with the delivery attempt. Apps register theirs in AppConfig.ready().
Renderer = Callable[[OutboundMessage, dt.datetime], Rendered | None]
RENDERERS: dict[str, Renderer] = {}


def register_renderer(template: str, renderer: Renderer) -> None:
    RENDERERS[template] = renderer


def message_deliver(*, message_id: int, at: dt.datetime | None = None) -> str | None:
    """Deliver one customer message that is due (`selectors.due_for_delivery`), in two
    steps, so that a worker killed at any point neither loses the message silently nor
    sends it twice:

    1. Record the attempt — state `sending`, `attempts` + 1 — and commit it with what
       the renderer mints (the hashes of the link and code). A worker killed after the
       channel took the text leaves the message `sending`, and the link it carried works.
    2. Hand the text to the channel's adapter with the attempt's idempotency key
       (`delivery_key`), holding the row lock, and mark it `sent` with the provider's
       message id. A refusal (ChannelError) marks it `failed` with the provider's reason,
       undoes the minted secrets and, unless the refusal is permanent, sets `retry_at`
       (delivery_rules).

    A message left `sending` past SENDING_TIMEOUT is settled first: `sent` when the
    channel says it took that key, a new attempt when it says it never saw it, otherwise
    `failed` with the reason "unknown whether delivered" — never a second text blindly.
    Returns the new state, or None when the message is not due (delivered, held by
    another worker, a retry not yet due)."""
    now = at or timezone.now()
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_for_delivery(now), pk=message_id)
            .select_related("customer", "dispute__order__store")
            .first()
        )
        if message is None:
            return None
        backend = for_channel(message.channel)
        if message.state == State.SENDING:
            settled = _settle(message, backend)
            if settled != "resend":
                return settled
        renderer = RENDERERS.get(message.template)
        rendered = renderer(message, now) if renderer else Rendered(message.subject, message.body)
        if rendered is None:
            _update(message, state=State.CANCELLED, retry_at=None)
            return State.CANCELLED
        message.attempts += 1
        _update(
            message,
            state=State.SENDING,
            attempts=message.attempts,
            attempted_at=now,
            failure="",
            failure_detail="",
            retry_at=None,
        )
    return _hand_over(message, rendered, backend, now)


def _update(message: OutboundMessage, **fields) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(**fields)


def _settle(message: OutboundMessage, backend) -> str | None:
    """The attempt of a worker that died mid-send: what the channel knows of its key
    decides. "resend": the channel never saw it, so a new attempt may go out; None: the
    channel cannot be asked now (left for the next run)."""
    try:
        taken = accepted(
            backend, message.delivery_key, phone=message.customer.phone, at=message.attempted_at
        )
    except (ChannelError, OSError) as exc:
        logger.warning("customer message %s: status unknown for now: %s", message.pk, exc)
        return None
    if taken:
        _update(message, state=State.SENT, sent_at=message.attempted_at)
        return State.SENT
    if taken is None:
        logger.warning(
            "customer message %s: unknown whether %s was delivered; not sent again",
            message.pk,
            message.delivery_key,
        )
        _update(message, state=State.FAILED, failure=Failure.UNKNOWN)
        not_delivered(message, failure=Failure.UNKNOWN, detail="", at=timezone.now())
        return State.FAILED
    return "resend"


def channel_text(message: OutboundMessage, rendered: Rendered) -> str:
    """The text as the channel carries it: an SMS starts with the store's signature
    【店铺名】 and, where the message has one, is its short form (the acknowledgement:
    one SMS; a proposal: its number, link and code — the proposal itself is read on the
    page the link opens)."""
    if message.channel != OutboundMessage.Channel.SMS:
        return rendered.text
    order = message.dispute.order
    signature = sms_signature(order.store.name if order is not None else "", settings_signature())
    if message.template == "acknowledgement":
        return acknowledgement_sms(
            signature=signature, number=message.dispute.number, link=public_url("/portal/")
        )
    return with_signature(rendered.sms or rendered.text, signature)


def settings_signature() -> str:
    return getattr(settings, "AFTERSALES_SMS_SIGNATURE", "") or "【售后服务】"


def _hand_over(message: OutboundMessage, rendered: Rendered, backend, now) -> str | None:
    with transaction.atomic():
        # The row lock, held while the channel works, makes other workers skip it.
        held = OutboundMessage.objects.select_for_update().filter(
            pk=message.pk, state=State.SENDING, attempts=message.attempts
        )
        if held.first() is None:  # settled by another worker meanwhile
            return None
        try:
            provider_id = backend.send(
                Delivery(
                    message_id=message.pk,
                    key=message.delivery_key,
                    channel=message.channel,
                    phone=message.customer.phone,
                    email=message.customer.email,
                    subject=rendered.subject,
                    text=channel_text(message, rendered),
                )
            )
        except ChannelError as exc:
            logger.warning("customer message %s not delivered: %s", message.pk, exc)
            if rendered.discard is not None:
                rendered.discard()
            failure = Failure.REJECTED if exc.permanent else Failure.REFUSED
            retry = None if exc.permanent else retry_time(attempt=message.attempts, failed_at=now)
            _update(
                message,
                state=State.FAILED,
                failure=failure,
                failure_detail=exc.detail[:200],
                retry_at=retry,
            )
            if retry is None:  # rejected, or refused past the last retry: for good
                not_delivered(message, failure=failure, detail=exc.detail[:200], at=now)
            return State.FAILED
        _update(
            message,
            state=State.SENT,
            sent_at=now,
            provider_message_id=str(provider_id or "")[:100],
        )
    return State.SENT


def receipts_check(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Ask the SMS provider for the delivery receipts of texts sent within
    RECEIPT_WINDOW and not asked about for RECEIPT_EVERY: `delivered`, or `failed`
    (undelivered, with the provider's reason; not retried: the number took no text).
    Nothing when the SMS backend has no receipts. Returns how many ended in each state."""
    now = now or timezone.now()
    backend = for_channel(OutboundMessage.Channel.SMS)
    receipt = getattr(backend, "receipt", None)
    if receipt is None:
        return {}
    rows = list(
        OutboundMessage.objects.filter(
            state=State.SENT,
            channel=OutboundMessage.Channel.SMS,
            sent_at__gte=now - RECEIPT_WINDOW,
        )
        .exclude(receipt_checked_at__gt=now - RECEIPT_EVERY)
        .select_related("customer")
        .order_by("sent_at", "id")[:limit]
    )
    ended = {"delivered": 0, "failed": 0}
    for message in rows:
        try:
            found = receipt(
                message.delivery_key, phone=message.customer.phone, at=message.attempted_at
            )
        except (ChannelError, OSError) as exc:
            logger.warning("delivery receipts unavailable: %s", exc)
            break
        sent = OutboundMessage.objects.filter(pk=message.pk, state=State.SENT)
        if found is None or found.delivered is None:
            sent.update(receipt_checked_at=now)
        elif found.delivered:
            ended["delivered"] += sent.update(
                state=State.DELIVERED, delivered_at=now, receipt_checked_at=now
            )
        else:
            failed = sent.update(
                state=State.FAILED,
                failure=Failure.UNDELIVERED,
                failure_detail=found.detail[:200],
                receipt_checked_at=now,
            )
            if failed:
                not_delivered(
                    message, failure=Failure.UNDELIVERED, detail=found.detail[:200], at=now
                )
            ended["failed"] += failed
    return {state: n for state, n in ended.items() if n}


def message_read(*, message_id: int, at: dt.datetime | None = None, dispute_id=None) -> bool:
    """The customer opened this message in the portal inbox: read now (once), and
    `delivered` if it was `sent` — it reached them. `dispute_id`, when given, must be the
    message's (the portal passes the customer's dispute). Returns whether it was unread."""
    at = at or timezone.now()
    mine = OutboundMessage.objects.filter(pk=message_id).exclude(state=State.CANCELLED)
    if dispute_id is not None:
        mine = mine.filter(dispute_id=dispute_id)
    if not mine.exists():
        raise NotFound(_("找不到消息 %(id)s") % {"id": message_id})
    with transaction.atomic():
        first = mine.filter(read_at__isnull=True).update(read_at=at)
        mine.filter(state=State.SENT).update(state=State.DELIVERED, delivered_at=at)
    return bool(first)
