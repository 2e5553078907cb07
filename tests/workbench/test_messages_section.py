"""The dispute page's conversation with the customer (issue 14): the customer's messages
and ours in time order with their delivery, a reply sent from a template or typed, and a
closed dispute's reopen request decided by the team lead — reopened through the page's
actions, or declined with a reason the customer is told. Judged by what the page shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.intake.customer_messages import customer_message_post
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute, make_staff, walk_to

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def page(client, dispute) -> str:
    response = client.get(f"/workbench/disputes/{dispute.number}/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    found = re.search(r'<section id="conversation".*?</section>', html, re.S)
    assert found, "no conversation section"
    return found.group(0)


def actions(html: str) -> str:
    found = re.search(r'<section id="actions".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


def held(agent, default_team, **fields):
    made = make_dispute(OrderFactory(), **fields)
    Dispute.objects.filter(pk=made.pk).update(team=default_team, assignee=agent)
    return Dispute.objects.select_related("customer").get(pk=made.pk)


def test_the_agent_reads_both_ways_and_replies_from_a_template(client, agent, default_team):
    dispute = held(agent, default_team)
    customer_message_post(dispute=dispute, customer=dispute.customer, text="请问什么时候处理？")
    client.force_login(agent)
    shown = section(page(client, dispute))
    assert "请问什么时候处理？" in shown
    assert "您的投诉已受理" in shown  # the acknowledgement, ours, with its delivery state

    # Neither text nor template: the field says what to do, nothing is sent.
    before = OutboundMessage.objects.filter(dispute=dispute).count()
    url = f"/workbench/disputes/{dispute.number}/messages/"
    response = client.post(url, {"reply-text": "", "reply-template": ""})
    assert response.status_code == 422
    assert "请填写回复内容或选择一个模板" in section(response.content.decode())
    assert OutboundMessage.objects.filter(dispute=dispute).count() == before

    response = client.post(url, {"reply-text": "", "reply-template": "evidence_needed"})
    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")
    sent = OutboundMessage.objects.filter(dispute=dispute).latest("id")
    assert dispute.number in sent.body and "照片或视频" in sent.body
    shown = section(page(client, dispute))
    assert "照片或视频" in shown and agent.username in shown


def test_a_reader_sees_the_conversation_without_the_reply_form(client, agent, default_team):
    dispute = held(agent, default_team)
    client.force_login(make_staff(Role.MANAGEMENT))  # reads every dispute, talks to no one
    shown = section(page(client, dispute))
    assert "回复顾客" not in shown
    url = f"/workbench/disputes/{dispute.number}/messages/"
    assert client.post(url, {"reply-text": "你好"}).status_code == 403


def closed_with_request(agent, default_team):
    dispute = held(agent, default_team, received_at=(NOW - dt.timedelta(days=15)).isoformat())
    walk_to(dispute, "closed", at=NOW - dt.timedelta(days=5), actor=agent)
    dispute = Dispute.objects.select_related("customer").get(pk=dispute.pk)
    customer_message_post(dispute=dispute, customer=dispute.customer, text="问题又出现了")
    return Dispute.objects.get(pk=dispute.pk)


def test_the_lead_sees_the_request_and_reopens(client, agent, lead, default_team):
    dispute = closed_with_request(agent, default_team)
    client.force_login(agent)
    html = page(client, dispute)
    assert "顾客申请重新打开" in section(html)
    assert "不予重新打开" not in section(html)  # the lead decides
    assert "重新打开" not in actions(html)

    client.force_login(lead)
    html = page(client, dispute)
    assert "不予重新打开" in section(html)
    assert "重新打开" in actions(html)
    response = client.post(
        f"/workbench/disputes/{dispute.number}/actions/reopen",
        {"reopen-version": dispute.version, "reopen-reason": "顾客反映问题再次出现"},
    )
    assert response.status_code == 302
    reopened = Dispute.objects.get(pk=dispute.pk)
    assert (reopened.status, reopened.reopen_count) == ("reopened", 1)
    assert "顾客申请重新打开这件" not in section(page(client, dispute))


def test_the_lead_declines_with_a_reason_the_customer_is_told(client, agent, lead, default_team):
    dispute = closed_with_request(agent, default_team)
    client.force_login(lead)
    url = f"/workbench/disputes/{dispute.number}/reopen-request/decline/"
    response = client.post(url, {"decline-reopen-reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"decline-reopen-reason": "已按协议退款完毕"})
    assert response.status_code == 302
    html = page(client, dispute)
    assert "顾客申请重新打开这件" not in section(html)
    assert "重新打开" not in actions(html)
    assert "已按协议退款完毕" in section(html)  # told to the customer
    assert Dispute.objects.get(pk=dispute.pk).status == "closed"


def test_no_reopen_is_offered_on_a_closed_dispute_nobody_asked_about(
    client, agent, lead, default_team
):
    dispute = held(agent, default_team, received_at=(NOW - dt.timedelta(days=15)).isoformat())
    walk_to(dispute, "closed", at=NOW - dt.timedelta(days=5), actor=agent)
    client.force_login(lead)
    html = page(client, dispute)
    assert "重新打开" not in actions(html)
    assert "顾客申请重新打开" not in section(html)


def test_a_message_that_could_not_be_delivered_says_why_on_the_dispute_page(
    client, agent, default_team
):
    """An invalid number: the provider's reason, in words, beside the message."""
    dispute = held(agent, default_team)
    OutboundMessage.objects.filter(dispute=dispute).update(
        state="failed",
        failure="rejected",
        failure_detail="手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）",
        attempts=1,
    )
    client.force_login(agent)
    shown = section(page(client, dispute))
    assert "发送失败：手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）" in shown
    assert 'class="out failed"' in shown
