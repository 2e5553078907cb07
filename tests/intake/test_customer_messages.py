"""Issue 14 item 4: messages with the customer on the timeline, both ways. The customer's
message is a 顾客留言 entry and reaches the handler's inbox (the team lead's when nobody
holds the case); on a dispute closed less than 30 days ago it also asks the team lead to
reopen it, later it is refused with what to do instead. Staff reply typed or from a
reply template, on the customer's channel, and the conversation reads both directions."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply, dispute_assign
from aftersales.intake import reply_templates
from aftersales.intake.conversation import conversation
from aftersales.intake.customer_messages import (
    customer_message_post,
    reopen_request_decline,
    reopen_request_pending,
    staff_reply,
)
from aftersales.mediation.proposal_delivery import customer_link_create
from aftersales.notifications.models import Notification, OutboundMessage
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import CustomerFactory, OrderFactory, make_dispute, make_staff, walk_to

pytestmark = pytest.mark.django_db
NOW = timezone.now()
URL = "/api/v1/disputes"


@pytest.fixture(autouse=True)
def _counters_from_zero():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


def held_by(dispute, user):
    """The dispute in the default team with `user` (None: nobody) as its handler."""
    current = Dispute.objects.get(pk=dispute.pk)
    return dispute_assign(
        dispute=current,
        actor=SYSTEM,
        version=current.version,
        team=current.team or Team.objects.get(is_default=True),
        assignee=user,
    )


@pytest.fixture
def dispute(lead, agent):
    made = make_dispute(received_at=(NOW - dt.timedelta(days=2)).isoformat())
    return Dispute.objects.select_related("customer").get(pk=held_by(made, agent).pk)


def closed(days_ago: int, agent):
    """A dispute closed `days_ago` days ago (received ten days before that)."""
    made = make_dispute(
        OrderFactory(), received_at=(NOW - dt.timedelta(days=days_ago + 10)).isoformat()
    )
    walk_to(made, "closed", at=NOW - dt.timedelta(days=days_ago), actor=agent)
    return Dispute.objects.select_related("customer").get(pk=made.pk)


def inbox(user, kind=None):
    notes = Notification.objects.filter(recipient=user)
    return list(notes.filter(kind=kind) if kind else notes)


def test_a_customer_message_is_on_the_timeline_and_in_the_handlers_inbox(dispute, agent, lead):
    event = customer_message_post(
        dispute=dispute, customer=dispute.customer, text="  热水器还是漏水，\r\n什么时候处理？\x00 "
    )
    event = Event.objects.get(pk=event.pk)
    assert event.kind_label == "顾客留言"
    assert event.payload["message"] == "热水器还是漏水，\n什么时候处理？"
    assert event.actor is None and event.actor_label == "顾客 张三"
    assert event.reason == ""  # the words live in the payload, where erasure replaces them
    [note] = inbox(agent, "customer_message")
    assert note.dispute_id == dispute.pk
    assert note.title == f"{dispute.number} 顾客留言"
    assert "热水器还是漏水" in note.body
    assert inbox(lead) == []


def test_nobody_holds_the_case_so_the_team_lead_hears_of_it(dispute, lead):
    held_by(dispute, None)
    customer_message_post(dispute=dispute, customer=dispute.customer, text="请尽快联系我")
    [note] = inbox(lead, "customer_message")
    assert note.body == "请尽快联系我"


@pytest.mark.parametrize("text", ["", "   ", "\x00\u200e", "好" * 2001, None])
def test_the_text_is_one_to_two_thousand_characters(dispute, text):
    with pytest.raises(ValidationFailed) as caught:
        customer_message_post(dispute=dispute, customer=dispute.customer, text=text)
    assert "text" in caught.value.fields
    assert not Event.objects.filter(dispute=dispute, kind="customer_message").exists()
    ok = customer_message_post(dispute=dispute, customer=dispute.customer, text="好" * 2000)
    assert len(ok.payload["message"]) == 2000


def test_only_the_disputes_own_customer_may_write(dispute):
    with pytest.raises(NotFound):
        customer_message_post(dispute=dispute, customer=CustomerFactory(), text="我也要投诉")
    assert not Event.objects.filter(dispute=dispute, kind="customer_message").exists()


def test_attachments_are_the_disputes_own_evidence(dispute):
    with pytest.raises(ValidationFailed) as caught:
        customer_message_post(
            dispute=dispute, customer=dispute.customer, text="见附件", attachments=[999999]
        )
    assert "attachments" in caught.value.fields


def test_a_message_within_30_days_of_closing_asks_the_lead_to_reopen(agent, lead):
    dispute = closed(29, agent)
    event = customer_message_post(dispute=dispute, customer=dispute.customer, text="问题又出现了")
    assert event.kind == "customer_message"
    [asked] = Event.objects.filter(dispute=dispute, kind="reopen_requested")
    assert asked.kind_label == "顾客申请重新打开"
    assert asked.payload["message_event"] == event.pk
    assert reopen_request_pending(dispute)
    [note] = inbox(lead, "reopen_requested")
    assert "申请重新处理" in note.title and dispute.number in note.title
    # A second message is recorded and told, but asks nothing twice.
    customer_message_post(dispute=dispute, customer=dispute.customer, text="请回复")
    assert Event.objects.filter(dispute=dispute, kind="customer_message").count() == 2
    assert Event.objects.filter(dispute=dispute, kind="reopen_requested").count() == 1
    assert len(inbox(lead, "reopen_requested")) == 1
    assert len(inbox(lead, "customer_message")) == 1
    assert Dispute.objects.get(pk=dispute.pk).status == "closed"  # the lead decides


def test_after_30_days_a_closed_dispute_takes_no_message(agent, lead):
    dispute = closed(31, agent)
    with pytest.raises(Conflict) as caught:
        customer_message_post(dispute=dispute, customer=dispute.customer, text="问题又出现了")
    assert caught.value.code == "closed_too_long"
    assert "请提交新的投诉" in caught.value.message
    assert not Event.objects.filter(
        dispute=dispute, kind__in=["customer_message", "reopen_requested"]
    ).exists()
    assert inbox(lead) == []


def test_the_lead_declines_and_the_customer_is_told_why(agent, lead):
    dispute = closed(10, agent)
    with pytest.raises(Conflict):  # nothing asked yet
        reopen_request_decline(dispute=dispute, actor=lead, reason="已按约定退款")
    customer_message_post(dispute=dispute, customer=dispute.customer, text="我要重新处理")
    with pytest.raises(Forbidden):
        reopen_request_decline(dispute=dispute, actor=make_staff(Role.FINANCE), reason="不行")
    with pytest.raises(ValidationFailed) as caught:
        reopen_request_decline(dispute=dispute, actor=lead, reason=" ")
    assert "reason" in caught.value.fields
    message = reopen_request_decline(
        dispute=dispute, actor=lead, reason="退款已于 11 月 30 日原路退回"
    )
    assert "不予受理" in message.body and "退款已于 11 月 30 日原路退回" in message.body
    assert "请提交新的投诉" in message.body
    [declined] = Event.objects.filter(dispute=dispute, kind="reopen_declined")
    assert (declined.kind_label, declined.actor) == ("不予重新打开", lead)
    assert not reopen_request_pending(dispute)
    assert [e.direction for e in conversation(dispute)][-2:] == ["in", "out"]


def test_the_lead_reopens_a_closed_dispute_on_request(agent, lead):
    dispute = closed(10, agent)

    def reopen(actor):
        current = Dispute.objects.get(pk=dispute.pk)
        return dispute_apply(
            dispute=current,
            action="reopen",
            actor=actor,
            version=current.version,
            reason="顾客结案后反映问题未解决",
        )

    # Not on staff's own initiative: only on the customer's request.
    with pytest.raises(ValidationFailed) as caught:
        reopen(lead)
    assert caught.value.code == "reopen_not_requested"
    customer_message_post(dispute=dispute, customer=dispute.customer, text="我要重新处理")
    # The team lead decides, not the agent.
    with pytest.raises(Forbidden):
        reopen(agent)
    reopened = reopen(lead)
    assert (reopened.status, reopened.is_open, reopened.closed_at) == ("reopened", True, None)
    assert reopened.reopen_count == 1
    assert not reopen_request_pending(reopened)


def test_a_declined_request_does_not_reopen(agent, lead):
    dispute = closed(10, agent)
    customer_message_post(dispute=dispute, customer=dispute.customer, text="我要重新处理")
    reopen_request_decline(dispute=dispute, actor=lead, reason="已按协议处理完毕")
    current = Dispute.objects.get(pk=dispute.pk)
    with pytest.raises(ValidationFailed) as caught:
        dispute_apply(
            dispute=current, action="reopen", actor=lead, version=current.version, reason="再看看"
        )
    assert caught.value.code == "reopen_not_requested"
    assert Dispute.objects.get(pk=dispute.pk).status == "closed"


@pytest.mark.parametrize("target, code", [("withdrawn", "dispute_withdrawn")])
def test_withdrawn_disputes_refuse_messages(agent, target, code):
    dispute = walk_to(make_dispute(OrderFactory()), target, actor=agent)
    with pytest.raises(Conflict) as caught:
        customer_message_post(dispute=dispute, customer=dispute.customer, text="还在吗")
    assert caught.value.code == code and "新的投诉" in caught.value.message


def test_rejected_disputes_refuse_messages(agent):
    dispute = walk_to(make_dispute(OrderFactory()), "rejected", actor=agent)
    with pytest.raises(Conflict) as caught:
        customer_message_post(dispute=dispute, customer=dispute.customer, text="为什么不受理")
    assert caught.value.code == "dispute_rejected"


# -- staff replies ------------------------------------------------------------------------


def test_a_reply_from_a_template_goes_out_on_the_customers_channel(dispute, agent):
    message = staff_reply(dispute=dispute, actor=agent, text="", template="evidence_needed")
    assert message.channel == "sms"  # a mobile number: as the acknowledgement chooses
    assert message.state == "pending" and message.template == "staff_reply"
    assert message.body.startswith("张三您好")
    assert dispute.number in message.body
    assert "【" not in message.body  # the SMS channel signs it, once
    [event] = Event.objects.filter(dispute=dispute, kind="staff_reply")
    assert event.kind_label == "回复顾客"
    assert event.actor == agent
    assert event.payload["message_id"] == message.pk
    assert event.payload["body"] == message.body
    assert event.payload["template"] == "evidence_needed"


def test_typed_text_wins_over_the_template(dispute, agent):
    message = staff_reply(
        dispute=dispute, actor=agent, text="张三您好，已为您加急处理。", template="received"
    )
    assert message.body == "张三您好，已为您加急处理。"
    assert message.params == {"reply_template": "received"}


def test_reply_input_names_the_field(dispute, agent):
    with pytest.raises(ValidationFailed) as caught:
        staff_reply(dispute=dispute, actor=agent, text="")
    assert "text" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        staff_reply(dispute=dispute, actor=agent, text="", template="no_such")
    assert "template" in caught.value.fields
    assert not OutboundMessage.objects.filter(dispute=dispute, template="staff_reply").exists()


@pytest.mark.parametrize("role", [Role.MANAGEMENT, Role.FINANCE])
def test_only_those_who_contact_customers_may_reply(dispute, role):
    with pytest.raises(Forbidden):
        staff_reply(dispute=dispute, actor=make_staff(role), text="您好")
    assert not Event.objects.filter(dispute=dispute, kind="staff_reply").exists()


def test_the_conversation_reads_both_ways_in_time_order(dispute, agent):
    customer_message_post(
        dispute=dispute, customer=dispute.customer, text="漏水了", at=NOW - dt.timedelta(hours=2)
    )
    staff_reply(
        dispute=dispute, actor=agent, text="", template="received", at=NOW - dt.timedelta(hours=1)
    )
    customer_message_post(dispute=dispute, customer=dispute.customer, text="好的，谢谢")
    entries = conversation(dispute)
    kinds = [(e.direction, e.kind) for e in entries]
    assert kinds == [
        ("out", "acknowledgement"),
        ("in", "customer_message"),
        ("out", "staff_reply"),
        ("in", "customer_message"),
    ]
    reply = entries[2]
    assert reply.state == "pending" and reply.state_label == "待发送"
    assert reply.author == agent.get_username()
    assert entries[3].text == "好的，谢谢"


def test_reply_templates_are_chinese_with_every_placeholder():
    choices = reply_templates.template_choices()
    assert 6 <= len(choices) <= 8
    for choice in choices:
        assert reply_templates.placeholders_of(choice["text"]) == set(reply_templates.PLACEHOLDERS)
    text = reply_templates.render("refund_progress", customer_name="李四", number="X1", store="")
    assert text.startswith("李四您好") and "X1" in text and "【" not in text


# -- the API ------------------------------------------------------------------------------


def test_staff_reply_and_read_the_conversation_by_api(dispute, agent, api_as):
    client = api_as(agent)
    bad = client.post(f"{URL}/{dispute.number}/messages", {"text": "", "template": "bogus"})
    assert bad.status_code == 422 and "template" in bad.json()["error"]["fields"]
    sent = client.post(f"{URL}/{dispute.number}/messages", {"template": "refund_progress"})
    assert sent.status_code == 201
    assert sent.json()["direction"] == "out" and "退款" in sent.json()["text"]
    assert sent.json()["state_label"] == "待发送"
    read = client.get(f"{URL}/{dispute.number}/messages")
    assert read.status_code == 200
    assert [m["kind"] for m in read.json()] == ["acknowledgement", "staff_reply"]
    templates = client.get(f"{URL}/{dispute.number}/messages/templates").json()
    assert templates[0]["text"].startswith("张三您好")


def test_management_may_read_but_not_reply(dispute, api_as):
    client = api_as(make_staff(Role.MANAGEMENT))
    assert client.get(f"{URL}/{dispute.number}/messages").status_code == 200
    refused = client.post(f"{URL}/{dispute.number}/messages", {"text": "您好"})
    assert refused.status_code == 403


def customer_client(dispute) -> tuple[Client, dict]:
    token, _access = customer_link_create(dispute.pk, timezone.now())
    return Client(REMOTE_ADDR="203.0.113.9"), {"X-Customer-Token": token}


def test_the_customer_writes_through_their_link(dispute, agent):
    client, headers = customer_client(dispute)
    door = f"{URL}/{dispute.number}/customer/messages"
    blank = client.post(door, {"text": " "}, content_type="application/json", headers=headers)
    assert blank.status_code == 422 and "text" in blank.json()["error"]["fields"]
    done = client.post(
        door, {"text": "请问进度？"}, content_type="application/json", headers=headers
    )
    assert done.status_code == 201
    assert done.json()["direction"] == "in" and done.json()["text"] == "请问进度？"
    assert len(inbox(agent, "customer_message")) == 1
    staff_reply(dispute=dispute, actor=agent, text="正在处理，请稍候。")
    read = client.get(door, headers=headers).json()
    assert [m["direction"] for m in read] == ["out", "in", "out"]
    assert read[-1]["author"] == "客服"  # never a staff member's name
    assert client.post(door, {"text": "x"}, content_type="application/json").status_code == 401


def test_a_link_answers_for_its_own_dispute_only(dispute, agent):
    other = make_dispute(OrderFactory())
    client, headers = customer_client(dispute)
    answer = client.post(
        f"{URL}/{other.number}/customer/messages",
        {"text": "看看别人的"},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 404
    assert not Event.objects.filter(dispute=other, kind="customer_message").exists()


def test_a_dispute_closed_long_ago_answers_409_by_api(agent):
    dispute = closed(45, agent)
    client, headers = customer_client(dispute)
    answer = client.post(
        f"{URL}/{dispute.number}/customer/messages",
        {"text": "又坏了"},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "closed_too_long"


def test_a_counter_to_a_proposal_is_the_customers_message_too(agent):
    """What the customer wrote with their counter shows in the conversation (both the
    dispute page and the portal read it), with what they asked for."""
    from tests.customer_link import last_link

    dispute = walk_to(make_dispute(OrderFactory()), "proposing", actor=agent)
    token, _code = last_link(dispute)
    response = Client().post(
        f"{URL}/{dispute.number}/proposals/{dispute.proposals.get().pk}/counter",
        {"remedy": "return_refund", "amount": "120.00", "message": "希望多补偿运费"},
        content_type="application/json",
        headers={"X-Customer-Token": token},
    )
    assert response.status_code == 200, response.content
    [counter] = [e for e in conversation(dispute) if e.kind == "proposal_countered"]
    assert counter.direction == "in"
    assert "退货退款" in counter.text and "120.00" in counter.text
    assert "希望多补偿运费" in counter.text
