"""POST /api/v1/disputes/{number}/actions: lifecycle actions through the API."""

import pytest

from aftersales.disputes.models import Dispute, Event
from tests.factories import carry_out, make_dispute, staff_note, step, walk_to

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


@pytest.fixture
def dispute(db):
    return make_dispute()


def act(client, number, action, version, **extra):
    return client.post(f"{URL}/{number}/actions", {"action": action, "version": version, **extra})


def state(dispute):
    d = Dispute.objects.get(pk=dispute.pk)
    return d.status, d.version, d.events.count()


def test_action_moves_the_dispute_and_records_who_and_why(client, agent, dispute):
    response = act(client, dispute.number, "triage", 1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"]) == ("triaged", 2)
    assert body["allowed_actions"] == ["investigate", "reject", "withdraw"]
    event = body["timeline"][-1]
    assert event["kind"] == "action"
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "triage",
        "received",
        "triaged",
    )
    assert event["actor"] == agent.username
    assert event["at"].endswith("+08:00")


def test_stale_version_is_409_and_nothing_changes(client, dispute):
    assert act(client, dispute.number, "triage", 1).status_code == 200
    before = state(dispute)
    response = act(client, dispute.number, "investigate", 1)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current_version"] == 2
    assert dispute.number in error["message"]
    assert state(dispute) == before


def test_future_version_is_409_too(client, dispute):
    before = state(dispute)
    response = act(client, dispute.number, "triage", 7)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "version_conflict"
    assert state(dispute) == before


def test_action_not_allowed_names_the_allowed_actions(client, dispute):
    before = state(dispute)
    response = act(client, dispute.number, "close", 1, customer_confirmed=True)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "action_not_allowed"
    assert error["allowed_actions"] == ["triage", "withdraw"]
    assert "triage" in error["message"] and "withdraw" in error["message"]
    assert "受理" in error["message"]  # the current state, in words
    assert state(dispute) == before


def test_ended_dispute_says_nothing_is_allowed(client, dispute):
    withdrawn = act(
        client, dispute.number, "withdraw", 1, reason="顾客撤回", confirmation=staff_note()
    )
    assert withdrawn.status_code == 200, withdrawn.content
    response = act(client, dispute.number, "triage", 2)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["allowed_actions"] == []
    assert "无" in error["message"]


def test_unknown_action_is_422(client, dispute):
    before = state(dispute)
    response = act(client, dispute.number, "approve", 1)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_action"
    assert "action" in error["fields"]
    assert "triage" in error["message"]
    assert state(dispute) == before


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_missing_reason_is_422_on_reason(client, dispute, reason):
    act(client, dispute.number, "triage", 1)
    before = state(dispute)
    extra = {} if reason is None else {"reason": reason}
    response = act(client, dispute.number, "reject", 2, **extra)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "reason_required"
    assert error["fields"]["reason"]
    assert state(dispute) == before


def test_escalate_is_refused_here_before_any_guard(client, dispute):
    """Escalating belongs to POST …/escalations: refused here even without a route."""
    for i, action in enumerate(["triage", "investigate"], start=1):
        act(client, dispute.number, action, i)
    before = state(dispute)
    response = act(client, dispute.number, "escalate", 3, reason="顾客投诉到 12315")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "action_owned"
    assert error["endpoint"].endswith(f"/{dispute.number}/escalations")
    assert state(dispute) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1}, "action"),
        ({"action": "triage"}, "version"),
        ({"action": "triage", "version": "one"}, "version"),
        ({"action": 5, "version": 1}, "action"),
    ],
)
def test_malformed_action_request_is_422(client, dispute, body, field):
    before = state(dispute)
    response = client.post(f"{URL}/{dispute.number}/actions", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert state(dispute) == before


def test_unknown_dispute_is_404(client):
    response = act(client, "SH20990101000001", "triage", 1)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_full_happy_path_to_closed(client, dispute):
    """The generic actions here; proposing, revising and settling through the workflows
    that own them (sending a proposal, the customer's acceptance)."""
    generic = {"triage": {}, "investigate": {}}
    generic["close"] = {"satisfaction": 5, "resolved": True, "comment": "很满意"}
    plan = ["triage", "investigate", "propose", "revise", "settle", "complete", "close"]
    expected = [
        "triaged",
        "investigating",
        "proposing",
        "proposing",
        "executing",
        "follow_up",
        "closed",
    ]
    version = 1
    for action, status in zip(plan, expected, strict=True):
        if action in generic:
            response = act(client, dispute.number, action, version, **generic[action])
            assert response.status_code == 200, (action, response.content)
            body = response.json()
        else:
            step(dispute, action, reason="顾客要求加运费补偿" if action == "revise" else "")
            body = client.get(f"{URL}/{dispute.number}").json()
        assert body["status"] == status
        assert body["version"] == version + 1
        version += 1

    assert body["allowed_actions"] == []
    assert body["closed_at"] is not None
    actions = [e for e in body["timeline"] if e["kind"] == "action"]
    assert [e["action"] for e in actions] == plan
    assert actions[3]["reason"] == "顾客要求加运费补偿"
    assert actions[-1]["payload"] == {"satisfaction": 5, "resolved": True, "comment": "很满意"}
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds.count("proposal_sent") == 2 and "agreement_generated" in kinds
    closed = Dispute.objects.get(pk=dispute.pk)
    assert not closed.is_open
    assert Event.objects.filter(dispute=closed, kind="action").count() == len(plan)


def test_escalated_path_to_closed(client, dispute):
    act(client, dispute.number, "triage", 1)
    act(client, dispute.number, "investigate", 2)
    filed = client.post(
        f"{URL}/{dispute.number}/escalations",
        {"version": 3, "route": "platform", "reason": "顾客申请平台介入"},
    )
    assert filed.status_code == 201, filed.content
    response = act(client, dispute.number, "close", 4, reason="平台判定退款，已执行")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"


def test_unsatisfied_follow_up_cannot_close_but_reopens(client, dispute):
    walk_to(dispute, "executing")
    version = Dispute.objects.get(pk=dispute.pk).version
    refused = act(client, dispute.number, "complete", version)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "aftersale_orders_open"
    carry_out(dispute)  # the agreed return and refund carried out: the dispute completes
    version = Dispute.objects.get(pk=dispute.pk).version
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    refused = act(client, dispute.number, "close", version, satisfaction=1, resolved=False)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "follow_up_unsatisfied"
    assert "reopen" in refused.json()["error"]["message"]
    reopened = act(client, dispute.number, "reopen", version, reason="顾客不满意")
    assert reopened.json()["status"] == "reopened"
    assert reopened.json()["allowed_actions"] == ["investigate", "withdraw"]
