"""Issue 10, observation 2 (mediation bypass): `propose`, `revise`, `settle` and `escalate`
belong to the workflows that own them (sending a proposal, the customer's acceptance,
filing an escalation). The generic actions endpoint refuses them with a 409 naming the
right endpoint, and writes nothing."""

import pytest

from aftersales.disputes.models import Dispute
from aftersales.mediation import proposals
from aftersales.mediation.models import Escalation, Proposal
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role
from tests.factories import walk_to
from tests.mediation.proposal_helpers import comp, investigating_dispute, staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


def snapshot(dispute):
    d = Dispute.objects.get(pk=dispute.pk)
    return d.status, d.version, d.events.count()


def act(client, dispute, action, **extra):
    version = Dispute.objects.get(pk=dispute.pk).version
    return client.post(
        f"{URL}/{dispute.number}/actions", {"action": action, "version": version, **extra}
    )


def test_propose_then_settle_through_actions_is_refused_and_the_proposal_stays_pending(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    # 500 yuan of compensation: above the agent's 200, so it waits for the team lead.
    proposal = proposals.proposal_create(dispute=dispute, actor=agent, remedies_raw=comp("500.00"))
    assert Proposal.objects.get(pk=proposal.pk).state == "pending_approval"
    client = api_as(agent)
    before = snapshot(dispute)

    propose = act(client, dispute, "propose", remedy="refund")
    assert propose.status_code == 409, propose.content
    error = propose.json()["error"]
    assert error["code"] == "action_owned"
    assert f"/api/v1/disputes/{dispute.number}/proposals/" in error["message"]
    assert error["endpoint"].endswith("/send")
    assert snapshot(dispute) == before

    settle = act(client, dispute, "settle")
    assert settle.status_code == 409, settle.content
    error = settle.json()["error"]
    assert error["code"] == "action_owned"
    assert error["endpoint"].endswith("/accept")
    assert "顾客" in error["message"]
    assert snapshot(dispute) == before
    assert Dispute.objects.get(pk=dispute.pk).status == "investigating"
    assert Proposal.objects.get(pk=proposal.pk).state == "pending_approval"
    assert not dispute.events.filter(kind=MediationKind.AGREEMENT_GENERATED).exists()


def test_settle_on_a_proposing_dispute_needs_the_customer(api_as, agent):
    """Even where the lifecycle would allow it (a proposal sent and waiting), staff cannot
    settle for the customer: only the customer's acceptance does."""
    dispute = walk_to(investigating_dispute(), "proposing")
    (proposal,) = Proposal.objects.filter(dispute=dispute)
    before = snapshot(dispute)
    for action, extra in (("settle", {}), ("revise", {"reason": "顾客还价"})):
        response = act(api_as(agent), dispute, action, **extra)
        assert response.status_code == 409, (action, response.content)
        assert response.json()["error"]["code"] == "action_owned"
    assert snapshot(dispute) == before
    assert Proposal.objects.get(pk=proposal.pk).state == "sent"


def test_escalate_through_actions_names_the_escalations_endpoint(api_as, agent):
    dispute = investigating_dispute()
    before = snapshot(dispute)
    response = act(
        api_as(agent), dispute, "escalate", reason="顾客已向 12315 投诉", route="regulator"
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "action_owned"
    assert f"POST /api/v1/disputes/{dispute.number}/escalations" in error["message"]
    assert error["endpoint"] == f"POST /api/v1/disputes/{dispute.number}/escalations"
    assert snapshot(dispute) == before
    assert not Escalation.objects.filter(dispute=dispute).exists()


def test_the_refusal_speaks_english_when_asked(api_as, agent):
    dispute = investigating_dispute()
    response = api_as(agent, language="en").post(
        f"{URL}/{dispute.number}/actions",
        {"action": "escalate", "version": 3, "reason": "12315", "route": "regulator"},
    )
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert "escalation" in message and "/escalations" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("action", ["triage", "investigate", "reject", "complete", "close"])
def test_generic_actions_still_go_through_the_actions_endpoint(api_as, agent, action):
    """Only the owned actions are refused; the generic ones keep their own answers."""
    dispute = investigating_dispute()
    response = act(api_as(agent), dispute, action, reason="原因", customer_confirmed=True)
    assert response.json()["error"]["code"] == "action_not_allowed"
