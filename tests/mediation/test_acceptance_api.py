"""Issue 5's acceptance lines through the API, with the ceilings read from the
environment as settings.py reads them ("role=yuan,..."): each role's ceiling at and just
above its boundary (agent 200, team lead 400, supervisor 600, management none); below
the statutory minimum only legal; bad input refused with a clear message in Chinese and,
with Accept-Language: en, in English, and nothing written."""

import pytest

from aftersales.disputes.models import Event
from aftersales.mediation.models import Proposal, ProposalApproval, ResponsibilityFinding
from aftersales.parties.roles import Role
from aftersales.settings import env_ceilings

from .proposal_helpers import comp, investigating_dispute, proposals_url, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ceilings_from_env(monkeypatch, settings):
    monkeypatch.setenv("MEDIATION_AUTHORITY_CEILINGS", "agent=200,team_lead=400,supervisor=600")
    settings.MEDIATION_AUTHORITY_CEILINGS = env_ceilings("MEDIATION_AUTHORITY_CEILINGS")


def draft(api_as, author, dispute, amount):
    response = api_as(author).post(proposals_url(dispute), {"remedies": comp(amount)})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    ("author", "amount", "needs"),
    [
        (Role.AGENT, "200.00", None),
        (Role.AGENT, "200.01", "team_lead"),
        (Role.TEAM_LEAD, "400.00", None),
        (Role.TEAM_LEAD, "400.01", "supervisor"),
        (Role.TEAM_LEAD, "600.01", "management"),
    ],
)
def test_within_the_authors_ceiling_it_is_sent_above_it_is_refused(api_as, author, amount, needs):
    user = staff(author)
    dispute = investigating_dispute()
    proposal = draft(api_as, user, dispute, amount)
    response = api_as(user).post(proposals_url(dispute, proposal["id"], "send"))
    if needs is None:
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "sent"
    else:
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "approval_required"
        required = response.json()["error"]["required_approvals"]
        assert [r["role"] for r in required] == [needs]
        assert Proposal.objects.get(pk=proposal["id"]).state == "pending_approval"
        assert not Event.objects.filter(dispute=dispute, kind="proposal_sent").exists()


@pytest.mark.parametrize(
    ("amount", "approver", "may"),
    [
        ("400.00", Role.TEAM_LEAD, True),
        ("400.01", Role.TEAM_LEAD, False),
        ("400.01", Role.SUPERVISOR, True),
        ("600.00", Role.SUPERVISOR, True),
        ("600.01", Role.SUPERVISOR, False),
        ("600.01", Role.MANAGEMENT, True),
        ("100000.00", Role.MANAGEMENT, True),
        ("250.00", Role.LEGAL, False),  # legal reviews the minimum, not amounts
    ],
)
def test_each_approver_up_to_their_own_ceiling(api_as, amount, approver, may):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, amount)
    response = api_as(staff(approver)).post(
        proposals_url(dispute, proposal["id"], "approve"), {"reason": "同意"}
    )
    sent = api_as(agent).post(proposals_url(dispute, proposal["id"], "send"))
    if may:
        assert response.status_code == 200, response.content
        assert sent.status_code == 200
    else:
        assert response.status_code in (403, 404), response.content
        assert not ProposalApproval.objects.exists()
        assert sent.status_code == 409
        assert Proposal.objects.get(pk=proposal["id"]).state == "pending_approval"


def test_a_different_configuration_moves_the_boundaries(api_as, monkeypatch, settings):
    monkeypatch.setenv("MEDIATION_AUTHORITY_CEILINGS", "agent=100,team_lead=300")
    settings.MEDIATION_AUTHORITY_CEILINGS = env_ceilings("MEDIATION_AUTHORITY_CEILINGS")
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, "150.00")
    assert [r["role"] for r in proposal["revisions"][0]["required_approvals"]] == ["team_lead"]
    assert "须调解小组组长或以上审批" in proposal["revisions"][0]["required_approvals"][0]["label"]


def test_below_the_minimum_legal_must_approve_even_within_the_ceiling(api_as):
    agent, lead, legal = staff(Role.AGENT), staff(Role.TEAM_LEAD), staff(Role.LEGAL)
    dispute = investigating_dispute(received_days_ago=3)  # the 7-day no-reason return
    proposal = draft(api_as, agent, dispute, "50.00")
    url = proposals_url(dispute, proposal["id"])
    assert api_as(agent).post(f"{url}/send").status_code == 409
    assert api_as(lead).post(f"{url}/approve", {"reason": "同意"}).status_code == 403
    assert api_as(legal).post(f"{url}/approve", {"reason": "顾客书面放弃退货"}).status_code == 200
    assert api_as(agent).post(f"{url}/send").status_code == 200


# -- bad input, in Chinese and in English; nothing written ----------------------------


@pytest.mark.parametrize(
    ("language", "field", "message"),
    [
        (None, "remedies.0.amount", "金额不能为负数"),
        ("en", "remedies.0.amount", "The amount cannot be negative"),
    ],
)
def test_a_negative_amount(api_as, language, field, message):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    response = api_as(agent, language=language).post(
        proposals_url(dispute), {"remedies": comp("-10.00")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {field: message}
    assert not Proposal.objects.exists()
    assert not Event.objects.filter(dispute=dispute, kind="proposal_drafted").exists()


@pytest.mark.parametrize("language", [None, "en"])
def test_a_remedy_unusual_for_the_category_is_drafted_with_a_warning(api_as, language):
    """Issue 10: the category, a machine's guess, never blocks a remedy."""
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    response = api_as(agent, language=language).post(
        proposals_url(dispute), {"remedies": [{"code": "price_difference", "amount": "30.00"}]}
    )
    assert response.status_code == 201, response.content
    (warning,) = response.json()["revisions"][0]["warnings"]
    assert (warning["code"], warning["field"]) == ("remedy_unusual_for_category", "remedies.0.code")
    if language is None:
        assert warning["message"] == (
            "“退还差价”不是“商品质量问题”类投诉的常见解决办法，请确认分类是否准确"
        )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "不能审批自己拟定的调解方案，请由其他有权限的人员审批"),
        ("en", "You cannot approve your own proposal"),
    ],
)
def test_approving_ones_own_proposal(api_as, language, message):
    lead = staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    proposal = draft(api_as, lead, dispute, "450.00")
    before = Event.objects.filter(dispute=dispute).count()
    response = api_as(lead, language=language).post(
        proposals_url(dispute, proposal["id"], "approve"), {"reason": "同意"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_proposal"
    assert response.json()["error"]["message"].startswith(message)
    assert not ProposalApproval.objects.exists()
    assert Event.objects.filter(dispute=dispute).count() == before
    assert Proposal.objects.get(pk=proposal["id"]).state == "pending_approval"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "各方责任比例之和必须为 100%，现在是 90%"),
        ("en", "The shares must add up to 100%; they add up to 90%"),
    ],
)
def test_shares_not_summing_to_100(api_as, language, message):
    lead = staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    before = Event.objects.filter(dispute=dispute).count()
    response = api_as(lead, language=language).post(
        f"/api/v1/disputes/{dispute.number}/responsibility",
        {"shares": {"merchant": 60, "carrier": 30}, "root_causes": ["carrier"]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["shares"] == message
    assert not ResponsibilityFinding.objects.exists()
    assert Event.objects.filter(dispute=dispute).count() == before
