"""Writes of messages: to customers (the caller records each on the dispute timeline;
the worker delivers them, see `message_deliver`) and to staff (inbox, then e-mail in the
background)."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.common.fastinsert import insert_many

from .channels import ChannelError, Delivery, accepted, channel
from .delivery_rules import retry_time
from .messages import Acknowledgement, acknowledgement_text
from .models import Notification, OutboundMessage
from .selectors import due_for_delivery

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


def email_claim_stale_after() -> dt.timedelta:
    """A claim older than this was made by a worker that died (the worker's own stale
    time: a task reclaimed from a dead worker finds its claims stale)."""
    return dt.timedelta(seconds=float(getattr(settings, "TASK_STALE_AFTER_SECONDS", 300)))


def notification_email_claim(*, note_id: int, now: dt.datetime) -> bool:
    """Claim one notification's e-mail for this run (a conditional UPDATE): True when it
    is this run's to send — not e-mailed yet, and unclaimed or claimed by a worker that
    died. Two runs at once: one gets it."""
    dead = now - email_claim_stale_after()
    return bool(
        Notification.objects.filter(pk=note_id, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=dead))
        .update(email_claimed_at=now)
    )


def notification_emailed(*, note_id: int, now: dt.datetime) -> None:
    Notification.objects.filter(pk=note_id, emailed_at__isnull=True).update(
        emailed_at=now, email_claimed_at=None
    )


def notification_email_release(*, note_id: int, claimed_at: dt.datetime) -> None:
    """Sending failed: the next run may try again at once."""
    Notification.objects.filter(
        pk=note_id, emailed_at__isnull=True, email_claimed_at=claimed_at
    ).update(email_claimed_at=None)


# -- delivering customer messages ----------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # what the customer reads; may carry a secret, so it is never stored
    # Undoes what the renderer minted (a link, a code) when the channel surely did not
    # take the text; None when there is nothing to undo.
    discard: Callable[[], None] | None = None


# template → renderer(message, now): the text to hand over, or None when there is nothing
# left to say (the message is cancelled). A renderer that mints a secret stores only its
# hash, committed with the delivery attempt. Apps register theirs in AppConfig.ready().
Renderer = Callable[[OutboundMessage, dt.datetime], Rendered | None]
RENDERERS: dict[str, Renderer] = {}
State = OutboundMessage.State


def register_renderer(template: str, renderer: Renderer) -> None:
    RENDERERS[template] = renderer


def message_deliver(*, message_id: int, at: dt.datetime | None = None) -> str | None:
    """Deliver one customer message that is due (`selectors.due_for_delivery`), in two
    steps, so that a worker killed at any point neither loses the message silently nor
    sends it twice:

    1. Record the attempt — state `sending`, `attempts` + 1 — and commit it with what
       the renderer mints (the hashes of the link and code). A worker killed after the
       channel took the text leaves the message `sending`, and the link it carried works.
    2. Hand the text to the channel with the attempt's idempotency key
       (`delivery_key`), holding the row lock, and mark it `sent`. A refusal
       (ChannelError) marks it `failed`, undoes the minted secrets and sets `retry_at`
       (delivery_rules).

    A message left `sending` past SENDING_TIMEOUT is settled first: `sent` when the
    channel says it took that key, a new attempt when it says it never saw it, otherwise
    `failed` with the reason "unknown whether delivered" — never a second text blindly.
    Returns the new state, or None when the message is not due (delivered, held by
    another worker, a retry not yet due)."""
    now = at or timezone.now()
    backend = channel()
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_for_delivery(now), pk=message_id)
            .select_related("customer")
            .first()
        )
        if message is None:
            return None
        if message.state == State.SENDING and (settled := _settle(message, backend)):
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
            retry_at=None,
        )
    return _hand_over(message, rendered, backend, now)


def _update(message: OutboundMessage, **fields) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(**fields)


def _settle(message: OutboundMessage, backend) -> str | None:
    """The attempt of a worker that died mid-send: what the channel knows of its key
    decides. None: the channel never saw it, so a new attempt may go out."""
    taken = accepted(backend, message.delivery_key)
    if taken:
        _update(message, state=State.SENT, sent_at=message.attempted_at)
        return State.SENT
    if taken is None:
        logger.warning(
            "customer message %s: unknown whether %s was delivered; not sent again",
            message.pk,
            message.delivery_key,
        )
        _update(message, state=State.FAILED, failure=OutboundMessage.Failure.UNKNOWN)
        return State.FAILED
    return None


def _hand_over(message: OutboundMessage, rendered: Rendered, backend, now) -> str | None:
    with transaction.atomic():
        # The row lock, held while the channel works, makes other workers skip it.
        held = OutboundMessage.objects.select_for_update().filter(
            pk=message.pk, state=State.SENDING, attempts=message.attempts
        )
        if held.first() is None:  # settled by another worker meanwhile
            return None
        try:
            backend.send(
                Delivery(
                    message_id=message.pk,
                    key=message.delivery_key,
                    channel=message.channel,
                    phone=message.customer.phone,
                    email=message.customer.email,
                    subject=rendered.subject,
                    text=rendered.text,
                )
            )
        except ChannelError as exc:
            logger.warning("customer message %s not delivered: %s", message.pk, exc)
            if rendered.discard is not None:
                rendered.discard()
            _update(
                message,
                state=State.FAILED,
                failure=OutboundMessage.Failure.REFUSED,
                retry_at=retry_time(attempt=message.attempts, failed_at=now),
            )
            return State.FAILED
        _update(message, state=State.SENT, sent_at=now)
    return State.SENT


def messages_deliver_later(message_ids: list[int]) -> None:
    """After the caller's transaction commits, the worker delivers these messages."""

    def enqueue() -> None:
        from .tasks import deliver_customer_messages

        deliver_customer_messages.enqueue(message_ids)

    transaction.on_commit(enqueue)


def notification_mark_read(*, user, notification_id: int):
    """The recipient's own notification read now (unless it already was); NotFound for
    anyone else's. The API's and the workbench's one way to mark it."""
    note = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if note is None:
        raise NotFound(_("找不到通知 %(id)s") % {"id": notification_id})
    if note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return note


def notifications_mark_all_read(*, user) -> int:
    """Every unread notification of `user` read now; how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
