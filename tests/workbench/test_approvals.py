"""待我审批: the proposals and major-incident applications waiting for the user, oldest
first, scoped by the authority rules (a team lead sees what is above an agent's ceiling
and within their own; management the major-incident applications; legal the proposals
below the statutory minimum); approving or refusing right there through the approval
services; agents get 403."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.mediation import proposals
from aftersales.mediation.models import Proposal, ProposalState
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role
from tests.factories import TeamFactory
from tests.mediation.proposal_helpers import comp, investigating_dispute, staff

pytestmark = pytest.mark.django_db
URL = "/workbench/approvals/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def drafted(amount: str, *, author, at=None, remedies=None, **dispute_kwargs) -> Proposal:
    dispute = investigating_dispute(**dispute_kwargs)
    return proposals.proposal_create(
        dispute=dispute, actor=author, remedies_raw=remedies or comp(amount), at=at
    )


def rows(body: str) -> list[str]:
    """The dispute numbers of the inbox's rows, in order."""
    import re

    return re.findall(r'<tr class="waiting" id="waiting-\d+" data-number="([^"]+)"', body)


def test_an_agent_gets_403():
    response = client_for(staff(Role.AGENT)).get(URL)
    assert response.status_code == 403


def test_a_team_lead_sees_what_is_above_the_agents_authority_oldest_first():
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    now = timezone.now()
    newer = drafted("300.00", author=agent, at=now - dt.timedelta(minutes=5))
    older = drafted("250.00", author=agent, at=now - dt.timedelta(hours=3), phone="13900001111")
    within = drafted("80.00", author=agent, phone="13900002222")  # the agent sends it alone
    above_lead = drafted("500.00", author=agent, phone="13900003333")  # a supervisor's
    assert within.state == ProposalState.DRAFT
    response = client_for(lead).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert rows(body) == [older.dispute.number, newer.dispute.number]
    assert above_lead.dispute.number not in body
    assert "超出拟定人权限（200.00 元），须调解小组组长或以上审批" in body
    assert "¥300.00" in body and "赔偿金 300.00 元" in body
    assert 'aria-current="page" data-nav="approvals"' in body
    assert 'class="cards approvals"' in body and 'data-label="法定标准检查"' in body

    supervisor = client_for(staff(Role.SUPERVISOR)).get(URL).content.decode()
    assert rows(supervisor) == [
        older.dispute.number,
        newer.dispute.number,
        above_lead.dispute.number,
    ]


def test_a_team_lead_does_not_see_another_teams_dispute():
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    proposal = drafted("300.00", author=agent)
    Dispute.objects.filter(pk=proposal.dispute_id).update(
        team=TeamFactory(code="other", name="外组")
    )
    assert rows(client_for(lead).get(URL).content.decode()) == []


def test_the_author_never_sees_their_own():
    lead = staff(Role.TEAM_LEAD)
    drafted("500.00", author=lead)  # above the lead's 400: the supervisor's
    other_lead = staff(Role.TEAM_LEAD)
    assert rows(client_for(lead).get(URL).content.decode()) == []
    assert rows(client_for(other_lead).get(URL).content.decode()) == []
    assert len(rows(client_for(staff(Role.SUPERVISOR)).get(URL).content.decode())) == 1


def test_major_incident_applications_wait_for_management():
    agent = staff(Role.AGENT)
    proposal = drafted(
        "", author=agent, remedies=[{"code": "whole_exchange", "shipping_paid_by": "merchant"}]
    )
    assert proposal.revisions.get().major_incident
    assert rows(client_for(staff(Role.TEAM_LEAD)).get(URL).content.decode()) == []
    body = client_for(staff(Role.MANAGEMENT)).get(URL).content.decode()
    assert rows(body) == [proposal.dispute.number]
    assert "重大质量事故处理申请" in body


def test_legal_sees_what_is_below_the_statutory_minimum_with_the_verdict():
    agent = staff(Role.AGENT)
    # Signed three days ago: the no-reason return is the customer's right; a coupon
    # falls short of it.
    proposal = drafted(
        "20.00", author=agent, received_days_ago=3, remedies=[{"code": "coupon", "amount": "20.00"}]
    )
    body = client_for(staff(Role.LEGAL)).get(URL).content.decode()
    assert rows(body) == [proposal.dispute.number]
    assert "低于法定标准" in body
    assert "七日无理由退货" in body  # the entitlement it was compared with


def test_the_lead_approves_from_the_inbox_and_the_agent_then_sends():
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    proposal = drafted("300.00", author=agent)
    dispute = proposal.dispute
    lead_client = client_for(lead)
    url = f"{URL}{dispute.number}/{proposal.pk}/"
    prefix = f"decision-{proposal.pk}"
    response = lead_client.post(
        url, {f"{prefix}-revision": "1", f"{prefix}-decision": "approve", f"{prefix}-reason": ""}
    )
    assert response.status_code == 302 and response["Location"] == URL
    assert Event.objects.filter(dispute=dispute, kind=MediationKind.PROPOSAL_APPROVED).count() == 1
    assert rows(lead_client.get(URL).content.decode()) == []

    agent_client = client_for(agent)
    response = agent_client.post(
        f"/workbench/disputes/{dispute.number}/proposals/{proposal.pk}/send",
        {"send-revision": "1"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SENT
    assert Dispute.objects.get(pk=dispute.pk).status == "proposing"


def test_refusing_from_the_inbox_needs_a_reason_and_keeps_the_row():
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    proposal = drafted("300.00", author=agent)
    url = f"{URL}{proposal.dispute.number}/{proposal.pk}/"
    prefix = f"decision-{proposal.pk}"
    client = client_for(lead)
    response = client.post(url, {f"{prefix}-revision": "1", f"{prefix}-decision": "refuse"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "驳回必须填写理由" in body
    assert rows(body) == [proposal.dispute.number]
    response = client.post(
        url,
        {f"{prefix}-revision": "1", f"{prefix}-decision": "refuse", f"{prefix}-reason": "金额过高"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REFUSED


def test_a_decision_someone_else_made_first_is_shown_as_a_conflict():
    agent = staff(Role.AGENT)
    lead, other = staff(Role.TEAM_LEAD), staff(Role.TEAM_LEAD)
    proposal = drafted("300.00", author=agent)
    url = f"{URL}{proposal.dispute.number}/{proposal.pk}/"
    prefix = f"decision-{proposal.pk}"
    data = {f"{prefix}-revision": "1", f"{prefix}-decision": "approve"}
    assert client_for(other).post(url, data).status_code == 302
    response = client_for(lead).post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "notice conflict" in body and "无需审批" in body
    assert rows(body) == []


def test_an_agent_may_not_decide_from_the_inbox():
    proposal = drafted("300.00", author=staff(Role.AGENT))
    prefix = f"decision-{proposal.pk}"
    response = client_for(staff(Role.AGENT)).post(
        f"{URL}{proposal.dispute.number}/{proposal.pk}/",
        {f"{prefix}-revision": "1", f"{prefix}-decision": "approve"},
    )
    assert response.status_code == 403


def test_a_stale_decision_in_the_inbox_lists_what_changed_and_who():
    import re

    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    proposal = drafted("300.00", author=agent)
    dispute = proposal.dispute
    prefix = f"decision-{proposal.pk}"
    page = client_for(lead).get(URL).content.decode()
    seen = re.search(rf'name="{prefix}-seen" value="(\d+)"', page).group(1)
    newest = Event.objects.filter(dispute=dispute).order_by("-id").first()
    assert int(seen) == newest.pk  # the row remembers what the lead saw
    # The author revises it while the lead reads the inbox.
    proposals.proposal_revise(
        proposal=proposal, actor=agent, remedies_raw=comp("350.00"), reason="顾客补充了照片"
    )
    response = client_for(lead).post(
        f"{URL}{dispute.number}/{proposal.pk}/",
        {f"{prefix}-revision": "1", f"{prefix}-seen": seen, f"{prefix}-decision": "approve"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    start = body.index('id="conflict"')
    notice = body[start : body.index("</div>", start)]
    assert "操作未完成：投诉在您查看之后已被更新" in notice
    assert "调解方案已有新的版本（第 2 版）" in notice
    revised = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_REVISED)
    assert "修改调解方案" in notice and revised.actor_label in notice
    assert "拟定调解方案" not in notice
    assert rows(body) == [dispute.number]  # the new revision still waits for the lead
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.PENDING_APPROVAL
