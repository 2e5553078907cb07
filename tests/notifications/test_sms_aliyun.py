"""Issue 14, delivery through Aliyun SMS: the adapter signs its calls as Aliyun checks
them, a throttled or unavailable provider is tried again with backoff and the customer
gets one text, an invalid number fails at once with the provider's reason, and a worker
that dies after the provider took a text sends no second one."""

import datetime as dt
import json
import socket

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.notifications.delivery import message_deliver, receipts_check
from aftersales.notifications.delivery_rules import SENDING_TIMEOUT
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.selectors import failed_messages
from aftersales.notifications.sms import send_now
from aftersales.notifications.sms.aliyun import signature
from aftersales.notifications.tasks import deliver_messages
from aftersales.parties.models import Customer
from tests.factories import OrderFactory, StoreFactory, make_dispute

from .at_once import at_once

pytestmark = pytest.mark.django_db


def acknowledgement(dispute=None) -> OutboundMessage:
    return OutboundMessage.objects.get(
        dispute=dispute or make_dispute(), template="acknowledgement"
    )


def test_the_signature_is_aliyuns_published_example():
    """The worked example of Aliyun's signature documentation (secret "testsecret")."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_failing_three_times_then_succeeding_delivers_one_text(aliyun):
    aliyun.fail_next(1, code="isv.BUSINESS_LIMIT_CONTROL")
    aliyun.fail_next(1, code="Throttling.User")
    aliyun.fail_next(1, code="ServiceUnavailable")
    message = acknowledgement()
    now = timezone.now()
    details = []
    for _ in range(3):
        assert message_deliver(message_id=message.pk, at=now) == "failed"
        message.refresh_from_db()
        assert message.failure == "refused" and message.retry_at is not None
        details.append(message.failure_detail)
        now = message.retry_at
    assert details == [
        "短信发送频率超限，稍后重试（isv.BUSINESS_LIMIT_CONTROL）",
        "短信服务限流，稍后重试（Throttling.User）",
        "短信服务暂时不可用（ServiceUnavailable）",
    ]
    assert message_deliver(message_id=message.pk, at=now) == "sent"
    assert receipts_check(now=now) == {"delivered": 1}

    message.refresh_from_db()
    (text,) = aliyun.texts_of_message(message.pk)  # the customer's phone got one text
    assert (message.state, message.attempts) == ("delivered", 4)
    assert message.provider_message_id == text["BizId"]
    assert text["OutId"] == f"outbound-{message.pk}-4"
    assert text["PhoneNumbers"] == "13812341234" and text["SignName"] == "售后服务"
    assert message.dispute.number in json.loads(text["TemplateParam"])["content"]
    assert failed_messages(message.dispute_id) == []


def test_an_invalid_number_fails_at_once_with_the_providers_reason(aliyun):
    dispute = make_dispute()
    # A number of the mainland's shape in a range no operator gives out (140…).
    Customer.objects.filter(pk=dispute.customer_id).update(phone="14012345678")
    message = acknowledgement(dispute)
    assert message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.failure, message.retry_at, message.attempts) == ("rejected", None, 1)
    (failed,) = failed_messages(dispute.pk)
    assert failed.failure_detail == "手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）"
    assert (failed.state_label, failed.failure_label, failed.channel_label) == (
        "发送失败",
        "无法发送",
        "短信",
    )
    later = timezone.now() + dt.timedelta(days=1)
    assert message_deliver(message_id=message.pk, at=later) is None  # never again
    assert aliyun.calls("SendSms") == 1
    # On the case's timeline, once: the handler must reach the customer another way.
    (event,) = dispute.events.filter(kind="message_not_delivered")
    assert event.kind_label == "顾客消息未能送达"
    assert event.reason == "无法发送：手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）"
    assert event.payload["message_id"] == message.pk


def test_an_unreachable_provider_is_tried_again(settings, aliyun):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    settings.AFTERSALES_SMS_ALIYUN_ENDPOINT = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    message = acknowledgement()
    assert message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.failure, message.failure_detail) == ("refused", "无法连接短信服务商")
    assert message.retry_at is not None


def test_a_failed_receipt_marks_the_message_undelivered(aliyun):
    aliyun.send_status, aliyun.err_code = 2, "IC_OUTOFSERVICE"
    message = acknowledgement()
    assert message_deliver(message_id=message.pk) == "sent"
    assert receipts_check() == {"failed": 1}
    (failed,) = failed_messages(message.dispute_id)
    assert (failed.failure, failed.failure_detail) == (
        "undelivered",
        "运营商未能送达（IC_OUTOFSERVICE）",
    )


def test_a_worker_dying_mid_batch_leaves_every_message_delivered_once(aliyun):
    """The provider takes the second of three texts and the connection drops before its
    answer: the worker dies not knowing. Run again, it sends the third; after the
    sending timeout it asks the provider about the second (QuerySendDetails by OutId)
    instead of sending it again."""
    messages = [acknowledgement(make_dispute(OrderFactory())) for _ in range(3)]
    aliyun.drop_after(2)
    with pytest.raises(OSError):
        deliver_messages.call()
    deliver_messages.call()
    OutboundMessage.objects.filter(state="sending").update(
        attempted_at=timezone.now() - SENDING_TIMEOUT - dt.timedelta(seconds=1)
    )
    deliver_messages.call()
    assert deliver_messages.call() == {}
    for message in messages:
        message.refresh_from_db()
        assert message.state == "delivered"
        assert len(aliyun.texts_of_message(message.pk)) == 1


def test_the_stores_signature_is_the_sms_signature_when_approved(settings, aliyun):
    settings.AFTERSALES_SMS_ALIYUN_SIGN_NAMES = "小米之家,美的旗舰店"
    store = StoreFactory(name="美的旗舰店")
    message = acknowledgement(make_dispute(OrderFactory(store=store)))
    assert message_deliver(message_id=message.pk) == "sent"
    (text,) = aliyun.texts_of_message(message.pk)
    assert text["SignName"] == "美的旗舰店"
    assert not json.loads(text["TemplateParam"])["content"].startswith("【")


def test_a_one_time_code_goes_at_once_with_the_default_signature(aliyun):
    provider_id = send_now(phone="13912345678", text="验证码为 123456，5 分钟内有效。", key="otp-1")
    (text,) = aliyun.texts_for("otp-1")
    assert provider_id == text["BizId"]
    assert text["SignName"] == "售后服务"
    assert json.loads(text["TemplateParam"]) == {"content": "验证码为 123456，5 分钟内有效。"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_workers_at_once_send_each_text_once(aliyun):
    messages = [acknowledgement(make_dispute(OrderFactory())) for _ in range(12)]
    at_once(deliver_messages.call, threads=3)
    for message in messages:
        assert len(aliyun.texts_of_message(message.pk)) == 1
    assert set(OutboundMessage.objects.values_list("state", flat=True)) <= {"sent", "delivered"}
