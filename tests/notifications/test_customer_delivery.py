"""Issue 11 item 11, customer messages: each delivery attempt is recorded before the
channel is called and carries an idempotency key, so a worker killed mid-send neither
sends a second text with a new code (killing the first text's link) nor loses the
message silently; refused deliveries are tried again with backoff, up to a limit; the
minute's job delivers what nobody delivered."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from aftersales.jobs.models import ScheduledRun
from aftersales.notifications import channels
from aftersales.notifications.delivery import message_deliver
from aftersales.notifications.delivery_rules import BATCH, MAX_ATTEMPTS, SENDING_TIMEOUT
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.tasks import deliver_messages
from aftersales.parties.roles import Role
from tests.customer_link import LINK
from tests.factories import make_dispute
from tests.mediation.proposal_helpers import (
    CustomerClient,
    comp,
    investigating_dispute,
    proposals_url,
    staff,
)

from .at_once import at_once
from .gateways import Killed

GATEWAYS = "tests.notifications.gateways."
MEMORY = "aftersales.notifications.channels.MemoryChannel"
LATER = SENDING_TIMEOUT + dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def empty_gateway():
    channels.outbox.clear()
    yield
    channels.outbox.clear()


def texts_of(message) -> list[channels.Delivery]:
    return [d for d in channels.outbox if d.message_id == message.pk]


def acknowledgement():
    return OutboundMessage.objects.get(dispute=make_dispute(), template="acknowledgement")


@pytest.mark.django_db
def test_the_gateway_gets_the_message_id_and_attempt_as_its_idempotency_key():
    message = acknowledgement()
    assert message_deliver(message_id=message.pk) == "sent"
    (text,) = texts_of(message)
    assert text.key == f"outbound-{message.pk}-1"
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_a_worker_killed_after_the_gateway_took_a_proposal_sends_no_second_text(api_as, settings):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    message = OutboundMessage.objects.get(dispute=dispute, template="proposal")

    settings.CUSTOMER_CHANNEL = GATEWAYS + "DiesAfterTheGatewayTookIt"
    with pytest.raises(Killed):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sending", 1)
    # The task, run again at once (as a second worker might): the first may still be
    # sending, so it is left alone.
    assert message_deliver(message_id=message.pk) is None

    settings.CUSTOMER_CHANNEL = MEMORY  # the same gateway, asked about the key
    assert message_deliver(message_id=message.pk, at=timezone.now() + LATER) == "sent"
    (text,) = texts_of(message)  # one text only
    token = LINK.search(text.text).group(1)
    assert CustomerClient(token).get(proposals_url(dispute, pid, "customer")).status_code == 200


@pytest.mark.django_db
def test_a_text_the_gateway_never_saw_is_sent_by_the_next_run(settings):
    message = acknowledgement()
    settings.CUSTOMER_CHANNEL = GATEWAYS + "DiesBeforeTheGatewayTookIt"
    with pytest.raises(Killed):
        message_deliver(message_id=message.pk)
    settings.CUSTOMER_CHANNEL = MEMORY
    assert message_deliver(message_id=message.pk, at=timezone.now() + LATER) == "sent"
    (text,) = texts_of(message)
    assert text.key == f"outbound-{message.pk}-2"


@pytest.mark.django_db
def test_when_the_gateway_cannot_tell_the_message_is_failed_not_sent_twice(settings):
    message = acknowledgement()
    settings.CUSTOMER_CHANNEL = GATEWAYS + "BlindDiesAfterTheGatewayTookIt"
    with pytest.raises(Killed):
        message_deliver(message_id=message.pk)

    settings.CUSTOMER_CHANNEL = GATEWAYS + "BlindGateway"
    assert message_deliver(message_id=message.pk, at=timezone.now() + LATER) == "failed"
    message.refresh_from_db()
    assert (message.state, message.failure, message.retry_at) == ("failed", "unknown", None)
    assert message.get_failure_display() == "不确定是否已送达"
    assert deliver_messages.call() == {}  # the minute's job does not retry it
    assert len(texts_of(message)) == 1


@pytest.mark.django_db
def test_a_refused_message_is_tried_again_with_backoff_up_to_a_limit(settings):
    message = acknowledgement()
    settings.CUSTOMER_CHANNEL = GATEWAYS + "RefusingGateway"
    now = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert message_deliver(message_id=message.pk, at=now) == "failed"
        message.refresh_from_db()
        assert (message.attempts, message.failure) == (attempt, "refused")
        if message.retry_at is None:
            break
        waits.append(message.retry_at - now)
        assert message_deliver(message_id=message.pk, at=message.retry_at - LATER) is None
        now = message.retry_at
    assert waits == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert message.attempts == MAX_ATTEMPTS and message.retry_at is None
    settings.CUSTOMER_CHANNEL = MEMORY
    assert message_deliver(message_id=message.pk, at=now + dt.timedelta(days=1)) is None
    assert texts_of(message) == []


@pytest.mark.django_db
def test_a_refused_proposal_keeps_no_link_and_its_retry_sends_a_working_one(api_as, settings):
    from aftersales.mediation.models import CustomerAccess

    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    message = OutboundMessage.objects.get(dispute=dispute, template="proposal")
    settings.CUSTOMER_CHANNEL = GATEWAYS + "RefusingGateway"
    assert message_deliver(message_id=message.pk) == "failed"
    assert not CustomerAccess.objects.filter(dispute=dispute).exists()

    settings.CUSTOMER_CHANNEL = MEMORY
    message.refresh_from_db()
    assert message_deliver(message_id=message.pk, at=message.retry_at) == "sent"
    (text,) = texts_of(message)
    assert text.key == f"outbound-{message.pk}-2"
    token = LINK.search(text.text).group(1)
    assert CustomerClient(token).get(proposals_url(dispute, pid, "customer")).status_code == 200


def outbox_of(dispute, n: int, *, written_at=None) -> list[OutboundMessage]:
    at = written_at or timezone.now()
    return OutboundMessage.objects.bulk_create(
        OutboundMessage(
            dispute=dispute,
            customer=dispute.customer,
            channel="sms",
            template="notice",
            body=f"第 {i} 条",
            created_at=at,
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_the_minute_job_delivers_batch_after_batch_within_its_time(settings):
    dispute = make_dispute()
    OutboundMessage.objects.filter(dispute=dispute).delete()  # the acknowledgement
    stale = outbox_of(dispute, 1, written_at=timezone.now() - dt.timedelta(days=4))[0]
    outbox_of(dispute, 2 * BATCH + 5)
    # Out of time after its first batch: the rest wait for the next minute's run.
    settings.AFTERSALES_DELIVERY_SWEEP_SECONDS = 0
    assert deliver_messages.call() == {"sent": BATCH}
    # With the minute's time: batch after batch until nothing is due.
    settings.AFTERSALES_DELIVERY_SWEEP_SECONDS = 45
    assert deliver_messages.call() == {"sent": BATCH + 5}
    assert deliver_messages.call() == {}
    assert len(channels.outbox) == 2 * BATCH + 5
    assert len({d.message_id for d in channels.outbox}) == 2 * BATCH + 5
    stale.refresh_from_db()
    assert stale.state == "pending"  # days old: not sent out of the blue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_schedule_delivers_the_intake_acknowledgement():
    message = acknowledgement()
    call_command("worker", "--batch", "--interval", "0")
    assert ScheduledRun.objects.filter(job="deliver_messages").count() == 1
    message.refresh_from_db()
    assert message.state == "sent"
    (text,) = texts_of(message)
    assert "已受理" in text.subject


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_delivery_jobs_at_once_send_each_message_once(settings):
    settings.CUSTOMER_CHANNEL = GATEWAYS + "SlowGateway"
    dispute = make_dispute()
    outbox_of(dispute, 10)
    ended = at_once(deliver_messages.call, threads=3)
    assert sum(e.get("sent", 0) for e in ended) == 11  # with the acknowledgement
    assert len(channels.outbox) == 11
    assert len({d.message_id for d in channels.outbox}) == 11
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}
