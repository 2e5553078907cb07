"""Staff told in their inbox: a proposal awaiting someone's approval goes to the people
who may give it (never its author); the approval or refusal goes back to the author;
the customer's acceptance, rejection or counter-offer goes to the handler."""

import pytest

from aftersales.notifications.models import Notification
from aftersales.notifications.tasks import render_email
from aftersales.parties.roles import Role

from .proposal_helpers import (
    CustomerClient,
    comp,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db

KIND = Notification.Kind


def inbox(user, kind) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id"))


def draft(api_as, author, dispute, remedies):
    response = api_as(author).post(proposals_url(dispute), {"remedies": remedies})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_lowest_approver_is_asked_and_nobody_else(api_as):
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    supervisor, management = staff(Role.SUPERVISOR), staff(Role.MANAGEMENT)
    dispute = investigating_dispute()
    draft(api_as, agent, dispute, comp("350.00"))  # above 200: the team lead
    (note,) = inbox(lead, KIND.APPROVAL_REQUESTED)
    assert note.dispute_id == dispute.pk
    assert note.title == f"{dispute.number} 调解方案待调解小组组长审批：350.00 元（第 1 版）"
    assert "超出拟定人权限（200.00 元）" in note.body
    assert not inbox(supervisor, KIND.APPROVAL_REQUESTED)
    assert not inbox(management, KIND.APPROVAL_REQUESTED)
    assert not inbox(agent, KIND.APPROVAL_REQUESTED)


def test_within_the_authors_ceiling_nobody_is_asked(api_as):
    agent = staff(Role.AGENT)
    staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    draft(api_as, agent, dispute, comp("200.00"))
    assert not Notification.objects.filter(kind=KIND.APPROVAL_REQUESTED).exists()


def test_legal_and_management_are_asked_for_their_steps_and_the_author_hears_back(api_as):
    lead, legal, management = staff(Role.TEAM_LEAD), staff(Role.LEGAL), staff(Role.MANAGEMENT)
    dispute = investigating_dispute(received_days_ago=3)  # the 7-day no-reason return
    pid = draft(api_as, lead, dispute, comp("900.00"))  # above 400, below the minimum
    (to_legal,) = inbox(legal, KIND.APPROVAL_REQUESTED)
    assert "待法务部门审批" in to_legal.title and "须法务审核" in to_legal.body
    (to_management,) = inbox(management, KIND.APPROVAL_REQUESTED)
    assert "待公司管理层审批：900.00 元" in to_management.title
    assert not inbox(lead, KIND.APPROVAL_REQUESTED)  # the author approves nothing of theirs

    url = proposals_url(dispute, pid, "approve")
    assert api_as(legal).post(url, {"reason": "顾客只要补偿"}).status_code == 200
    (first,) = inbox(lead, KIND.PROPOSAL_DECIDED)
    assert "仍待其他审批" in first.title and first.body == "理由：顾客只要补偿"
    assert api_as(management).post(url, {"reason": "同意"}).status_code == 200
    second = inbox(lead, KIND.PROPOSAL_DECIDED)[-1]
    assert second.title.endswith("审批通过，可以发送给顾客")


def test_a_refusal_tells_the_author_to_revise(api_as):
    agent, supervisor = staff(Role.AGENT), staff(Role.SUPERVISOR)
    dispute = investigating_dispute()
    pid = draft(api_as, agent, dispute, comp("500.00"))
    assert len(inbox(supervisor, KIND.APPROVAL_REQUESTED)) == 1
    refused = api_as(supervisor).post(proposals_url(dispute, pid, "refuse"), {"reason": "金额偏高"})
    assert refused.status_code == 200
    (note,) = inbox(agent, KIND.PROPOSAL_DECIDED)
    assert "被" in note.title and "驳回" in note.title and note.body == "理由：金额偏高"
    # A revision that still needs approval asks again.
    api_as(agent).post(
        proposals_url(dispute, pid, "revisions"), {"remedies": comp("450.00"), "reason": "调整"}
    )
    assert inbox(supervisor, KIND.APPROVAL_REQUESTED)[-1].title.endswith("450.00 元（第 2 版）")


def sent(api_as, agent, dispute, amount="150.00"):
    pid = draft(api_as, agent, dispute, comp(amount))
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    return pid, CustomerClient(token, code)


@pytest.mark.parametrize(
    ("answer", "body", "title_part", "note_body"),
    [
        ("accept", {}, "顾客已接受调解方案（第 1 版，150.00 元），协议书已生成", ""),
        (
            "reject",
            {"message": "我要退货"},
            "顾客拒绝了调解方案（第 1 版），请修改方案或升级处理",
            "顾客留言：我要退货",
        ),
        (
            "counter",
            {"remedy": "compensation", "amount": "300.00", "message": "太少"},
            "顾客对调解方案（第 1 版）还价：赔偿金，300.00 元",
            "顾客留言：太少",
        ),
    ],
)
def test_the_customers_answer_reaches_the_handler(api_as, answer, body, title_part, note_body):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid, customer = sent(api_as, agent, dispute)
    before = Notification.objects.count()
    body = {"code": customer.code} if answer == "accept" else body
    response = customer.post(proposals_url(dispute, pid, answer), body)
    assert response.status_code == 200, response.content
    (note,) = Notification.objects.filter(kind=KIND.PROPOSAL_ANSWERED)
    assert note.recipient == agent and note.dispute_id == dispute.pk
    assert note.title == f"{dispute.number} {title_part}"
    assert note.body == note_body
    assert Notification.objects.count() == before + 1


def test_a_refused_answer_tells_nobody(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid, customer = sent(api_as, agent, dispute)
    bad = customer.post(proposals_url(dispute, pid, "counter"), {"amount": "-1"})
    assert bad.status_code == 422
    assert not Notification.objects.filter(kind=KIND.PROPOSAL_ANSWERED).exists()


def test_the_notice_is_e_mailed_in_english_to_an_english_speaker(api_as):

    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    lead.staff_profile.language = "en"
    lead.staff_profile.save()
    dispute = investigating_dispute()
    draft(api_as, agent, dispute, comp("300.00"))
    (note,) = inbox(lead, KIND.APPROVAL_REQUESTED)
    subject, _body = render_email(note)
    assert subject.startswith("[After-sales] Proposal awaiting your approval: ")
