"""Writes of messages: to customers (the caller records each on the dispute timeline;
the worker delivers them: delivery.message_deliver) and to staff (inbox, then e-mail in
the background)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.common.fastinsert import insert_many

from .messages import Acknowledgement, acknowledgement_text
from .models import Notification, OutboundMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACK_NEXT_STEP_HOURS = 24
# A mainland China mobile number (11 digits from 13x to 19x), with or without +86.
MAINLAND_MOBILE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")


def ack_channel(customer) -> str:
    """The channel of every message to this customer (the one place it is chosen): SMS to
    a mainland mobile, else e-mail when they gave an address, else the portal inbox.
    Whatever the channel, the message is also shown in the portal inbox."""
    if MAINLAND_MOBILE.match(customer.phone.replace(" ", "")):
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


# -- delivering customer messages: delivery.py (re-exported here for the callers) -------


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
