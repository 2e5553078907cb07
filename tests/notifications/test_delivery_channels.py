"""Issue 14, delivery: each message goes by the customer's channel — SMS to a mainland
mobile (the development backend writes it to the log and a file), e-mail otherwise,
else only the portal inbox, which shows every message and marks it delivered when read;
SMS texts carry the store's signature and fit one SMS; a failed message shows on the
dispute's message list and in the assignee's daily check."""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.followup.daily_check_notices import check_lines, summary
from aftersales.followup.daily_checks import daily_checks
from aftersales.notifications import channels
from aftersales.notifications.delivery import message_deliver, message_read, receipts_check
from aftersales.notifications.messages import SMS_SINGLE, acknowledgement_sms, sms_parts
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.selectors import failed_messages, messages_for, portal_messages
from aftersales.notifications.sms.dev import read_outbox
from aftersales.notifications.tasks import deliver_messages
from aftersales.parties.models import Customer
from tests.factories import OrderFactory, StoreFactory, make_dispute, make_held_dispute, walk_to

pytestmark = pytest.mark.django_db


def acknowledgement(dispute) -> OutboundMessage:
    return OutboundMessage.objects.get(dispute=dispute, template="acknowledgement")


def test_the_development_backend_writes_each_text_to_the_file_and_the_log(sms_file, caplog):
    store = StoreFactory(name="美的官方旗舰店")
    dispute = make_dispute(OrderFactory(store=store))
    with caplog.at_level("INFO", logger="aftersales.sms"):
        assert deliver_messages.call() == {"sent": 1, "delivered": 1}
    (line,) = read_outbox(sms_file)
    message = acknowledgement(dispute)
    assert line["phone"] == "13812341234" and line["key"] == f"outbound-{message.pk}-1"
    assert line["text"].startswith("【美的官方旗舰店】您的投诉已受理，编号" + dispute.number)
    assert line["text"] in caplog.text
    assert channels.delivered(message.pk).text == line["text"]  # tests read it here too
    message.refresh_from_db()
    assert (message.state, message.provider_message_id) == ("delivered", line["id"])
    assert json.loads(sms_file.read_text().splitlines()[0]) == line


def test_without_an_order_the_configured_signature_is_used(settings, sms_file):
    settings.AFTERSALES_SMS_SIGNATURE = "【家电售后】"
    dispute = make_dispute()
    Dispute.objects.filter(pk=dispute.pk).update(order=None)  # taken in without one
    OutboundMessage.objects.filter(dispute=dispute).update(template="notice", body="【旧】您好")
    message_deliver(message_id=acknowledgement_or_notice(dispute).pk)
    (line,) = read_outbox(sms_file)
    assert line["text"] == "【家电售后】您好"


def acknowledgement_or_notice(dispute) -> OutboundMessage:
    return OutboundMessage.objects.get(dispute=dispute)


@pytest.mark.parametrize("store", ["售后服务", "美的官方旗舰店", "小天鹅洗衣机京东自营旗舰店"])
def test_the_acknowledgement_fits_one_sms(store):
    text = acknowledgement_sms(signature=f"【{store}】", number="SH20261205000123")
    assert len(text) <= SMS_SINGLE and sms_parts(text) == 1
    assert "SH20261205000123" in text and "24小时内" in text


def test_the_portal_link_is_added_only_when_it_still_fits():
    short = acknowledgement_sms(signature="【售后】", number="SH1", link="https://k.cn/portal/")
    assert short.endswith("进度：https://k.cn/portal/")
    long = "https://aftersales.example.com/portal/"
    assert long not in acknowledgement_sms(
        signature="【售后服务】", number="SH20261205000123", link=long
    )


def test_a_customer_without_a_mobile_gets_email_with_the_key_as_message_id(settings):
    settings.CUSTOMER_CHANNEL = ""
    settings.AFTERSALES_PUBLIC_URL = "https://kefu.example.cn"
    dispute = make_dispute(
        customer={"name": "李四", "phone": "010-62345678", "email": "li@example.cn"}
    )
    message = acknowledgement(dispute)
    assert message.channel == "email"
    assert message_deliver(message_id=message.pk) == "sent"
    (sent,) = mail.outbox
    assert sent.to == ["li@example.cn"] and dispute.number in sent.subject
    assert sent.extra_headers["Message-ID"] == f"<outbound-{message.pk}-1@kefu.example.cn>"
    message.refresh_from_db()
    assert message.state == "sent"


def test_a_customer_with_neither_reads_it_in_the_portal_which_marks_it_delivered(settings):
    settings.CUSTOMER_CHANNEL = ""
    dispute = make_dispute(customer={"name": "王五", "phone": "021-62345678"})
    message = acknowledgement(dispute)
    assert message.channel == "portal"
    assert message_deliver(message_id=message.pk) == "sent"
    (shown,) = portal_messages(dispute.pk)
    assert (shown.subject, shown.read) == (message.subject, False)

    at = timezone.now()
    assert message_read(message_id=message.pk, at=at, dispute_id=dispute.pk) is True
    assert message_read(message_id=message.pk, dispute_id=dispute.pk) is False  # once
    message.refresh_from_db()
    assert (message.state, message.delivered_at, message.read_at) == ("delivered", at, at)
    assert portal_messages(dispute.pk)[0].read


def test_a_message_is_read_only_through_its_own_dispute():
    from aftersales.common.errors import NotFound

    mine, other = make_dispute(), make_dispute(OrderFactory())
    with pytest.raises(NotFound):
        message_read(message_id=acknowledgement(mine).pk, dispute_id=other.pk)


def test_sms_messages_are_shown_in_the_portal_too(sms_file):
    dispute = make_dispute()
    deliver_messages.call()
    (shown,) = portal_messages(dispute.pk)
    assert "已受理" in shown.subject and dispute.number in shown.body


def test_a_failed_message_shows_on_the_dispute_and_in_the_daily_check(agent, aliyun):
    now = timezone.now()
    dispute = make_held_dispute(agent, received_at=now - dt.timedelta(hours=1))
    Customer.objects.filter(pk=dispute.customer_id).update(phone="14012345678")
    deliver_messages.call()

    (row,) = messages_for(dispute.pk)
    assert (row.state, row.channel, row.attempts) == ("failed", "sms", 1)
    assert row.failure_detail == "手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）"

    (check,) = daily_checks(now=now + dt.timedelta(minutes=1))
    (failed,) = check.failed_messages
    assert (failed.number, failed.failure_detail) == (dispute.number, row.failure_detail)
    text = "\n".join(check_lines(check))
    assert "消息发送失败（顾客未收到）：1 条" in text
    assert dispute.number in text and "isv.MOBILE_NUMBER_ILLEGAL" in text
    assert summary(check).endswith("消息发送失败 1")


def test_a_retry_still_due_is_not_in_the_daily_check(agent, aliyun):
    now = timezone.now()
    make_held_dispute(agent, received_at=now - dt.timedelta(hours=1))
    aliyun.fail_next(1)
    deliver_messages.call()
    assert [c.failed_messages for c in daily_checks(now=now)] in ([], [[]])


def test_receipts_are_not_asked_of_a_channel_without_them():
    make_dispute()
    deliver_messages.call()  # the tests' in-memory channel
    assert receipts_check() == {}
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}


def test_an_address_the_mail_server_refuses_fails_at_once(settings):
    settings.CUSTOMER_CHANNEL = ""
    settings.EMAIL_BACKEND = "tests.notifications.refusing_mail.RecipientRefusedBackend"
    dispute = make_dispute(
        customer={"name": "李四", "phone": "010-62345678", "email": "no@example.cn"}
    )
    message = acknowledgement(dispute)
    assert message_deliver(message_id=message.pk) == "failed"
    (failed,) = failed_messages(dispute.pk)
    assert (failed.failure, failed.failure_detail, failed.retry_at) == (
        "rejected",
        "邮箱地址被对方服务器拒收",
        None,
    )


def test_a_proposal_by_sms_is_its_short_form_in_two_texts(settings, sms_file):
    settings.AFTERSALES_PUBLIC_URL = "https://kf.midea.cn"
    store = StoreFactory(name="美的官方旗舰店")
    dispute = walk_to(make_dispute(OrderFactory(store=store)), "proposing")
    OutboundMessage.objects.filter(dispute=dispute).exclude(template="proposal").delete()
    deliver_messages.call()
    (line,) = read_outbox(sms_file)
    text = line["text"]
    assert text.startswith("【美的官方旗舰店】投诉" + dispute.number)
    assert "https://kf.midea.cn/portal/mediation/" in text
    assert re.search(r"验证码为 \d{6}，\d{4}-\d{2}-\d{2}前有效", text)
    assert sms_parts(text) == 2  # with the proposal's lines it would be three or more
    # The full proposal stays in the portal inbox (without the link and code).
    (kept,) = portal_messages(dispute.pk)
    assert "方案" in kept.subject
