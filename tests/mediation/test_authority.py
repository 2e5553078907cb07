"""Authority (权限管理, SPEC §6): who must approve a proposal before it is sent, the
approval and refusal events, and the acceptance items — above the author's ceiling it
cannot be sent without the right approval, below the statutory minimum not without
legal's, each tried through the API for every role; nobody approves their own."""

from decimal import Decimal

import pytest

from aftersales.disputes.models import Dispute, Event
from aftersales.mediation import authority
from aftersales.mediation.authority import Requirement, Step, Why
from aftersales.mediation.models import Proposal, ProposalApproval
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role

from .proposal_helpers import comp, investigating_dispute, proposals_url, staff

CEILINGS = authority.ceilings_from(None)

# -- the rules (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "amount", "approver"),
    [
        (Role.AGENT, "0.00", None),
        (Role.AGENT, "200.00", None),
        (Role.AGENT, "200.01", Role.TEAM_LEAD),
        (Role.AGENT, "400.00", Role.TEAM_LEAD),
        (Role.AGENT, "400.01", Role.SUPERVISOR),
        (Role.AGENT, "600.00", Role.SUPERVISOR),
        (Role.AGENT, "600.01", Role.MANAGEMENT),
        (Role.TEAM_LEAD, "400.00", None),
        (Role.TEAM_LEAD, "450.00", Role.SUPERVISOR),
        (Role.TEAM_LEAD, "5000.00", Role.MANAGEMENT),
        (Role.SUPERVISOR, "600.00", None),
        (Role.MANAGEMENT, "100000.00", None),
        (Role.ADMIN, "0.01", Role.TEAM_LEAD),  # admins configure limits, grant nothing
    ],
)
def test_the_lowest_role_that_can_approves_above_the_authors_ceiling(author, amount, approver):
    needed = authority.required_approvals(
        amount=Decimal(amount),
        author_roles={author},
        ceilings=CEILINGS,
        below_minimum=False,
        major_incident=False,
    )
    assert [r.role for r in needed] == ([approver] if approver else [])


def test_a_major_incident_always_needs_management_and_below_minimum_always_legal():
    needed = authority.required_approvals(
        amount=Decimal("0.00"),
        author_roles={Role.TEAM_LEAD},
        ceilings=CEILINGS,
        below_minimum=True,
        major_incident=True,
    )
    assert [(r.step, r.role, r.why) for r in needed] == [
        (Step.AUTHORITY, Role.MANAGEMENT, Why.MAJOR_INCIDENT),
        (Step.LEGAL, Role.LEGAL, Why.BELOW_MINIMUM),
    ]


def test_ceilings_are_configuration():
    ceilings = authority.ceilings_from({"agent": "50", "team_lead": 1000})
    needed = authority.required_approvals(
        amount=Decimal("120.00"),
        author_roles={Role.AGENT},
        ceilings=ceilings,
        below_minimum=False,
        major_incident=False,
    )
    assert [r.role for r in needed] == [Role.TEAM_LEAD]
    assert authority.ceiling_of({Role.TEAM_LEAD}, ceilings) == Decimal("1000")


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({Role.AGENT}, False),
        ({Role.TEAM_LEAD}, False),
        ({Role.SUPERVISOR}, True),
        ({Role.MANAGEMENT}, True),
        ({Role.LEGAL}, False),
        ({Role.ADMIN}, False),
    ],
)
def test_who_can_give_a_supervisor_level_approval(roles, expected):
    req = Requirement(Step.AUTHORITY, Role.SUPERVISOR, Why.ABOVE_CEILING, Decimal("200"))
    assert authority.can_give(req, roles, amount=Decimal("500"), ceilings=CEILINGS) is expected


# -- through the API, each role ---------------------------------------------------------

pytestmark = pytest.mark.django_db

ROLES = [
    Role.AGENT,
    Role.TEAM_LEAD,
    Role.SUPERVISOR,
    Role.MANAGEMENT,
    Role.LEGAL,
    Role.ADMIN,
    Role.QUALITY_CONTROL,
    Role.FINANCE,
]


def draft(api_as, author, dispute, remedies):
    response = api_as(author).post(proposals_url(dispute), {"remedies": remedies})
    assert response.status_code == 201, response.content
    return response.json()


def state(proposal_id) -> str:
    return Proposal.objects.get(pk=proposal_id).state


def approve(api_as, user, dispute, proposal, reason=""):
    return api_as(user).post(proposals_url(dispute, proposal["id"], "approve"), {"reason": reason})


def send(api_as, user, dispute, proposal):
    return api_as(user).post(proposals_url(dispute, proposal["id"], "send"))


def test_within_the_authors_ceiling_it_is_sent_at_once(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("200.00"))
    assert proposal["state"] == "draft"
    response = send(api_as, agent, dispute, proposal)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "sent"
    assert Dispute.objects.get(pk=dispute.pk).status == "proposing"


@pytest.mark.parametrize("role", ROLES)
def test_above_the_agents_ceiling_only_a_supervisor_or_management_approves_500(api_as, role):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("500.00"))
    revision = proposal["revisions"][0]
    assert proposal["state"] == "pending_approval"
    assert [(r["role"], r["why"]) for r in revision["required_approvals"]] == [
        ("supervisor", "above_ceiling")
    ]
    before = send(api_as, agent, dispute, proposal)
    assert before.status_code == 409
    assert before.json()["error"]["code"] == "approval_required"
    assert "须监督岗或以上审批" in before.json()["error"]["message"]

    approver = staff(role)
    response = approve(api_as, approver, dispute, proposal, reason="顾客损失属实")
    if role in (Role.SUPERVISOR, Role.MANAGEMENT):
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "approved"
        (approval,) = response.json()["revisions"][0]["approvals"]
        assert (approval["decision"], approval["amount"], approval["role"]) == (
            "approved",
            "500.00",
            role.value,
        )
        assert send(api_as, agent, dispute, proposal).status_code == 200
        assert state(proposal["id"]) == "sent"
    else:
        # Refused (403), or the dispute is out of their sight (404); nothing changed.
        assert response.status_code in (403, 404), response.content
        assert state(proposal["id"]) == "pending_approval"
        assert not ProposalApproval.objects.exists()
        assert send(api_as, agent, dispute, proposal).status_code == 409
        assert Dispute.objects.get(pk=dispute.pk).status == "investigating"


def test_a_team_lead_is_told_what_approval_is_missing(api_as):
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("500.00"))
    response = approve(api_as, lead, dispute, proposal)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_authority"
    assert error["message"] == "您无权审批该方案：超出拟定人权限（200.00 元），须监督岗或以上审批"


def test_a_team_lead_approves_what_is_within_their_own_ceiling(api_as):
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("350.00"))
    assert approve(api_as, lead, dispute, proposal).status_code == 200
    assert send(api_as, agent, dispute, proposal).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_below_the_statutory_minimum_only_legal_approves_with_a_reason(api_as, role):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(received_days_ago=3)  # the 7-day no-reason return
    proposal = draft(api_as, agent, dispute, comp("150.00"))
    assert proposal["revisions"][0]["below_minimum"] is True
    before = send(api_as, agent, dispute, proposal)
    assert before.status_code == 409
    assert "低于法定标准，须法务部门审核" in before.json()["error"]["message"]

    approver = staff(role)
    if role == Role.LEGAL:
        no_reason = approve(api_as, approver, dispute, proposal)
        assert no_reason.status_code == 422
        assert no_reason.json()["error"]["fields"]["reason"] == (
            "法务审核低于法定标准的方案必须填写理由"
        )
        assert state(proposal["id"]) == "pending_approval"
        response = approve(
            api_as, approver, dispute, proposal, reason="顾客明确表示不退货，只要补偿"
        )
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "approved"
        assert send(api_as, agent, dispute, proposal).status_code == 200
        event = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_APPROVED)
        assert (event.actor, event.reason, event.payload["steps"]) == (
            approver,
            "顾客明确表示不退货，只要补偿",
            ["legal"],
        )
    else:
        response = approve(api_as, approver, dispute, proposal, reason="可以")
        assert response.status_code in (403, 404), response.content
        assert state(proposal["id"]) == "pending_approval"
        assert send(api_as, agent, dispute, proposal).status_code == 409


def test_above_the_ceiling_and_below_the_minimum_needs_both(api_as):
    agent, legal, supervisor = staff(Role.AGENT), staff(Role.LEGAL), staff(Role.SUPERVISOR)
    dispute = investigating_dispute(received_days_ago=3)
    proposal = draft(api_as, agent, dispute, comp("550.00"))
    assert approve(api_as, legal, dispute, proposal, reason="顾客同意不退货").status_code == 200
    assert state(proposal["id"]) == "pending_approval"
    blocked = send(api_as, agent, dispute, proposal)
    assert blocked.status_code == 409 and "监督岗" in blocked.json()["error"]["message"]
    assert approve(api_as, supervisor, dispute, proposal).status_code == 200
    assert send(api_as, agent, dispute, proposal).status_code == 200


def test_a_major_incident_application_needs_management_whatever_the_amount(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(
        api_as, agent, dispute, [{"code": "incident_compensation", "amount": "100.00"}]
    )
    revision = proposal["revisions"][0]
    assert revision["major_incident"] is True
    assert revision["required_approvals"][0]["label"] == "重大质量事故处理申请，须公司管理层批准"
    assert approve(api_as, staff(Role.SUPERVISOR), dispute, proposal).status_code == 403
    assert approve(api_as, staff(Role.MANAGEMENT), dispute, proposal).status_code == 200
    assert send(api_as, agent, dispute, proposal).status_code == 200


def test_approving_ones_own_proposal_is_refused(api_as):
    lead = staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    proposal = draft(api_as, lead, dispute, comp("450.00"))
    response = approve(api_as, lead, dispute, proposal, reason="我同意")
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (
        "own_proposal",
        "不能审批自己拟定的调解方案，请由其他有权限的人员审批",
    )
    assert state(proposal["id"]) == "pending_approval"
    assert approve(api_as, staff(Role.SUPERVISOR), dispute, proposal).status_code == 200


def test_a_refusal_needs_a_reason_is_an_event_and_blocks_sending(api_as):
    agent, supervisor = staff(Role.AGENT), staff(Role.SUPERVISOR)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("500.00"))
    url = proposals_url(dispute, proposal["id"], "refuse")
    bare = api_as(supervisor).post(url, {"reason": " "})
    assert bare.status_code == 422
    assert bare.json()["error"]["fields"]["reason"] == "驳回必须填写理由"
    refused = api_as(supervisor).post(url, {"reason": "金额偏高，先补偿 300 元"})
    assert refused.status_code == 200
    assert refused.json()["state"] == "refused"
    event = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_REFUSED)
    assert event.actor == supervisor
    assert event.reason == "金额偏高，先补偿 300 元"
    assert (event.payload["amount"], event.payload["role"]) == ("500.00", "supervisor")
    assert event.at is not None
    blocked = send(api_as, agent, dispute, proposal)
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "proposal_refused"
    # The author revises; the new revision is judged afresh.
    revised = api_as(agent).post(
        proposals_url(dispute, proposal["id"], "revisions"),
        {"remedies": comp("180.00"), "reason": "按监督岗意见调整"},
    )
    assert revised.json()["state"] == "draft"
    assert send(api_as, agent, dispute, proposal).status_code == 200


def test_ceilings_come_from_settings(api_as, settings):
    settings.MEDIATION_AUTHORITY_CEILINGS = {"agent": "50.00"}
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, comp("80.00"))
    assert proposal["revisions"][0]["required_approvals"][0]["role"] == "team_lead"


# -- issue 10: every yuan given without the goods coming back, at the boundaries --------

MONEY_LINES = ("refund", "compensation")


@pytest.mark.parametrize("code", MONEY_LINES)
@pytest.mark.parametrize(
    ("author", "amount", "approver"),
    [
        (Role.AGENT, "200.00", None),
        (Role.AGENT, "200.01", "team_lead"),
        (Role.TEAM_LEAD, "400.00", None),
        (Role.TEAM_LEAD, "400.01", "supervisor"),
    ],
)
def test_the_authors_ceiling_to_the_fen_for_refunds_and_compensation(
    api_as, code, author, amount, approver
):
    user = staff(author)
    dispute = investigating_dispute()  # paid 1999.00: the refund is within what was paid
    proposal = draft(api_as, user, dispute, [{"code": code, "amount": amount}])
    revision = proposal["revisions"][0]
    assert revision["authority_amount"] == amount
    if approver is None:
        assert (proposal["state"], revision["required_approvals"]) == ("draft", [])
        assert send(api_as, user, dispute, proposal).status_code == 200
    else:
        assert proposal["state"] == "pending_approval"
        assert [(r["role"], r["why"]) for r in revision["required_approvals"]] == [
            (approver, "above_ceiling")
        ]
        assert send(api_as, user, dispute, proposal).status_code == 409


@pytest.mark.parametrize("code", MONEY_LINES)
@pytest.mark.parametrize(
    ("amount", "needed", "supervisor_may"),
    [("600.00", "supervisor", True), ("600.01", "management", False)],
)
def test_the_supervisors_ceiling_to_the_fen(api_as, code, amount, needed, supervisor_may):
    agent, supervisor = staff(Role.AGENT), staff(Role.SUPERVISOR)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, [{"code": code, "amount": amount}])
    assert [r["role"] for r in proposal["revisions"][0]["required_approvals"]] == [needed]
    response = approve(api_as, supervisor, dispute, proposal, reason="同意")
    if supervisor_may:
        assert response.status_code == 200, response.content
        assert send(api_as, agent, dispute, proposal).status_code == 200
    else:
        assert response.status_code == 403
        assert state(proposal["id"]) == "pending_approval"
        assert approve(api_as, staff(Role.MANAGEMENT), dispute, proposal).status_code == 200
        assert send(api_as, agent, dispute, proposal).status_code == 200


def test_a_return_refund_up_to_the_price_paid_needs_no_approval_at_any_amount(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, [{"code": "return_refund", "amount": "1999.00"}])
    revision = proposal["revisions"][0]
    assert (proposal["state"], revision["authority_amount"]) == ("draft", "0.00")
    assert send(api_as, agent, dispute, proposal).status_code == 200


@pytest.mark.parametrize(
    "line",
    [{"code": "take_back", "amount": "1999.00"}, {"code": "whole_exchange"}],
)
def test_a_take_back_or_whole_exchange_still_needs_management(api_as, line):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    proposal = draft(api_as, agent, dispute, [line])
    revision = proposal["revisions"][0]
    assert revision["authority_amount"] == "0.00"
    assert [(r["role"], r["why"]) for r in revision["required_approvals"]] == [
        ("management", "major_incident")
    ]
    assert send(api_as, agent, dispute, proposal).status_code == 409
