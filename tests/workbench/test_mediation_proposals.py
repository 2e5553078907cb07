"""The proposal builder and approval panel on the dispute page, through Django's test
client: drafting (pre-filled with the category's standard remedy), the check before
drafting (authority and statutory verdict, nothing stored), revising, sending,
withdrawing, and approving within authority — the same services as the API."""

import pytest
from django.test import Client

from aftersales.disputes.models import Event
from aftersales.mediation.models import Proposal, ProposalState
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role
from tests.mediation.proposal_helpers import investigating_dispute, staff

pytestmark = pytest.mark.django_db


def page_url(dispute) -> str:
    return f"/workbench/disputes/{dispute.number}/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(dispute, kind) -> int:
    return Event.objects.filter(dispute=dispute, kind=kind).count()


def builder(lines, *, note="", reason=None, revision=None, rows=4) -> dict:
    """The builder's POST: `lines` as (code, amount) or dicts, padded with empty rows."""
    data = {
        "line-TOTAL_FORMS": str(max(rows, len(lines))),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "20",
        "proposal-note": note,
    }
    for i, line in enumerate(lines):
        if isinstance(line, tuple):
            line = {"code": line[0], "amount": line[1]}
        for key, value in line.items():
            data[f"line-{i}-{key}"] = value
    if reason is not None:
        data["proposal-reason"] = reason
    if revision is not None:
        data["proposal-revision"] = str(revision)
    return data


@pytest.fixture
def dispute():
    return investigating_dispute()


@pytest.fixture
def agent():
    return staff(Role.AGENT)


@pytest.fixture
def lead():
    return staff(Role.TEAM_LEAD)


def test_the_builder_starts_from_the_standard_remedy_and_shows_the_authors_authority(
    dispute, agent
):
    page = client_for(agent).get(page_url(dispute)).content.decode()
    assert 'id="proposal-builder"' in page
    # A quality dispute: the standard remedy is a return with refund of the price.
    assert '<option value="return_refund" selected>' in page
    assert 'name="line-0-amount"' in page and 'name="line-3-amount"' in page  # no-JS rows
    assert 'id="line-template"' in page
    assert "您的权限：计入权限的金额在 ¥200.00 以内可自行决定" in page


def test_an_agent_drafts_a_proposal_within_authority_and_sends_it(dispute, agent):
    client = client_for(agent)
    response = client.post(
        f"{page_url(dispute)}proposals/",
        builder([("compensation", "80.00"), ("apology", "")], note="给您添麻烦了"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert events(dispute, MediationKind.PROPOSAL_DRAFTED) == 1
    proposal = Proposal.objects.get(dispute=dispute)
    revision = proposal.revisions.get()
    assert revision.state == ProposalState.DRAFT
    assert [line["code"] for line in revision.remedies] == ["compensation", "apology"]
    assert "给您添麻烦了" in revision.message
    page = client.get(page_url(dispute)).content.decode()
    assert "无需审批：在拟定人权限内且不低于法定标准。" in page
    assert f"/proposals/{proposal.pk}/send" in page
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/send", {"send-revision": "1"}
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_SENT) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SENT


def test_a_bad_line_is_marked_on_its_row_and_what_was_typed_is_kept(dispute, agent):
    response = client_for(agent).post(
        f"{page_url(dispute)}proposals/",
        builder([("apology", ""), ("compensation", "12.345")], note="附言保留"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "金额最多保留两位小数（精确到分）" in body
    assert 'value="12.345"' in body
    assert "附言保留" in body
    assert Proposal.objects.filter(dispute=dispute).count() == 0


def test_an_empty_builder_asks_for_a_line(dispute, agent):
    response = client_for(agent).post(f"{page_url(dispute)}proposals/", builder([]))
    assert response.status_code == 422
    assert "请至少填写一项解决办法" in response.content.decode()


def test_the_check_shows_authority_and_the_statutory_verdict_without_storing(dispute, agent):
    client = client_for(agent)
    url = f"{page_url(dispute)}proposals/check"
    data = builder([("compensation", "300.00")])
    partial = client.post(url, data, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert "计入权限的金额 ¥300.00" in body
    assert "您可自行决定 ¥200.00 以内" in body
    assert "超出拟定人权限（200.00 元），须调解小组组长或以上审批" in body
    assert "顾客将收到的消息" in body and "赔偿金 300.00 元" in body
    # Without JavaScript: the whole page, the builder kept, the check below it.
    page = client.post(url, data)
    assert page.status_code == 200
    assert 'value="300.00"' in page.content.decode()
    assert "保存后须经审批才能发送" in page.content.decode()
    assert Proposal.objects.filter(dispute=dispute).count() == 0
    assert events(dispute, MediationKind.PROPOSAL_DRAFTED) == 0


def test_the_check_names_the_shortfall_below_the_statutory_minimum(agent):
    # Signed for three days ago: the no-reason return is the customer's right.
    dispute = investigating_dispute(received_days_ago=3)
    body = (
        client_for(agent)
        .post(
            f"{page_url(dispute)}proposals/check",
            builder([("coupon", "20.00")]),
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )
    assert "法定标准检查：低于法定标准，须法务审核。" in body
    assert "低于法定标准，须法务部门审核" in body


def test_above_the_agents_authority_it_waits_for_the_team_lead(dispute, agent, lead):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    assert proposal.state == ProposalState.PENDING_APPROVAL
    page = client.get(page_url(dispute)).content.decode()
    assert f"/proposals/{proposal.pk}/send" not in page  # nothing to send yet
    assert 'id="approval-panel"' not in page  # the author never approves their own
    # Sending anyway (a stale page) is refused as a conflict.
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/send", {"send-revision": "1"}
    )
    assert response.status_code == 409
    assert "调解方案尚未获得必要的审批" in response.content.decode()

    lead_client = client_for(lead)
    page = lead_client.get(page_url(dispute)).content.decode()
    assert 'id="approval-panel"' in page
    url = f"{page_url(dispute)}proposals/{proposal.pk}/decision"
    # Refusing needs a reason.
    response = lead_client.post(
        url, {"decision-revision": "1", "decision-decision": "refuse", "decision-reason": ""}
    )
    assert response.status_code == 422
    assert "驳回必须填写理由" in response.content.decode()
    response = lead_client.post(
        url, {"decision-revision": "1", "decision-decision": "approve", "decision-reason": "同意"}
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert f"/proposals/{proposal.pk}/send" in client.get(page_url(dispute)).content.decode()


def test_an_approval_on_an_older_revision_is_a_conflict(dispute, agent, lead):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/revisions",
        builder([("compensation", "350.00")], reason="顾客补充了照片", revision=1),
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_REVISED) == 1
    response = client_for(lead).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {"decision-revision": "1", "decision-decision": "approve", "decision-reason": ""},
    )
    assert response.status_code == 409
    assert "调解方案已有新的版本（第 2 版）" in response.content.decode()
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 0


def test_revising_needs_a_reason_and_keeps_the_lines(dispute, agent):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "50.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    page = client.get(page_url(dispute)).content.decode()
    assert f"/proposals/{proposal.pk}/revisions" in page
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/revisions",
        builder([("compensation", "60.00")], reason="", revision=1),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "修改调解方案必须填写修改原因" in body
    assert 'value="60.00"' in body


def test_withdrawing_needs_a_reason(dispute, agent):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "50.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    url = f"{page_url(dispute)}proposals/{proposal.pk}/withdraw"
    response = client.post(url, {"withdraw-revision": "1", "withdraw-reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"withdraw-revision": "1", "withdraw-reason": "改由消协调解"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_WITHDRAWN) == 1


def test_qc_sees_no_builder_and_may_not_draft(dispute):
    qc = staff(Role.QUALITY_CONTROL)
    client = client_for(qc)
    assert 'id="proposal-builder"' not in client.get(page_url(dispute)).content.decode()
    response = client.post(f"{page_url(dispute)}proposals/", builder([("apology", "")]))
    assert response.status_code == 403
    assert Proposal.objects.filter(dispute=dispute).count() == 0


def test_an_agent_may_not_approve(dispute, agent):
    author = staff(Role.AGENT)
    client_for(author).post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    response = client_for(agent).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {"decision-revision": "1", "decision-decision": "approve"},
    )
    assert response.status_code == 403
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 0
