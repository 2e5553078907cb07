"""Who sees and does what through the API: one persona per role (SPEC §1, §9)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


@pytest.fixture
def other_team(db):
    return TeamFactory(code="team-b", name="调解二组")


@pytest.fixture
def ours(default_team):
    """Taken in through the API channel: routed to the default team; a service complaint,
    so no department task."""
    dispute = make_dispute(description="客服态度很差，问了三次都没人回复")
    assert dispute.team == default_team
    return dispute


@pytest.fixture
def theirs(other_team):
    """Recorded by phone by an agent of the other team, who keeps it."""
    agent_b = make_staff(Role.AGENT, team=other_team)
    dispute = make_dispute(
        channel="phone", actor=agent_b, customer={"name": "李四", "phone": "13900001111"}
    )
    assert dispute.team == other_team
    return dispute


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {d["number"] for d in response.json()["items"]}


def assert_sees(client, visible, hidden):
    assert numbers(client.get(URL)) == {d.number for d in visible}
    for d in visible:
        assert client.get(f"{URL}/{d.number}").status_code == 200
    for d in hidden:
        response = client.get(f"{URL}/{d.number}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        # Out of scope looks exactly like not existing: no hint that it is there.
        missing = client.get(f"{URL}/SH20990101999999")
        assert response.json()["error"]["message"].replace(d.number, "X") == missing.json()[
            "error"
        ]["message"].replace("SH20990101999999", "X")


def test_agent_sees_own_team_only(api_as, agent, ours, theirs):
    assert_sees(api_as(agent), visible=[ours], hidden=[theirs])


def test_agent_sees_disputes_assigned_to_them_in_another_team(api_as, agent, theirs):
    Dispute.objects.filter(pk=theirs.pk).update(assignee=agent)
    assert numbers(api_as(agent).get(URL)) == {theirs.number}


def test_agent_cannot_act_on_another_teams_dispute(api_as, agent, theirs):
    response = api_as(agent).post(
        f"{URL}/{theirs.number}/actions", {"action": "triage", "version": 1}
    )
    assert response.status_code == 404
    assert Dispute.objects.get(pk=theirs.pk).status == "received"


def test_team_lead_sees_own_team(api_as, default_team, other_team, ours, theirs):
    lead_a = make_staff(Role.TEAM_LEAD, team=default_team)
    lead_b = make_staff(Role.TEAM_LEAD, team=other_team)
    assert_sees(api_as(lead_a), visible=[ours], hidden=[theirs])
    assert_sees(api_as(lead_b), visible=[theirs], hidden=[ours])


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGEMENT])
def test_readers_see_all_but_cannot_act(api_as, role, ours, theirs):
    client = api_as(make_staff(role))
    assert_sees(client, visible=[ours, theirs], hidden=[])
    events = Event.objects.count()
    response = client.post(f"{URL}/{ours.number}/actions", {"action": "triage", "version": 1})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    fresh = Dispute.objects.get(pk=ours.pk)
    assert (fresh.status, fresh.version) == ("received", 1)
    assert Event.objects.count() == events


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGEMENT, Role.QUALITY_CONTROL])
def test_non_handlers_cannot_take_in_complaints(api_as, role, order):
    from tests.conftest import intake_body

    before = Dispute.objects.count()
    response = api_as(make_staff(role)).post(URL, intake_body(order))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Dispute.objects.count() == before


def test_quality_control_sees_only_disputes_with_its_task(api_as, ours, theirs):
    Task.objects.create(dispute=theirs, department="quality_control", kind="inspect", title="质检")
    Task.objects.create(dispute=ours, department="logistics", kind="trace", title="查件")
    qc = api_as(make_staff(Role.QUALITY_CONTROL))
    assert_sees(qc, visible=[theirs], hidden=[ours])
    logistics = api_as(make_staff(Role.LOGISTICS))
    assert_sees(logistics, visible=[ours], hidden=[theirs])


def test_department_without_tasks_sees_nothing(api_as, ours, theirs):
    assert_sees(api_as(make_staff(Role.LEGAL)), visible=[], hidden=[ours, theirs])


def test_department_staff_cannot_apply_actions(api_as, ours):
    Task.objects.create(dispute=ours, department="quality_control", kind="inspect", title="质检")
    qc = api_as(make_staff(Role.QUALITY_CONTROL))
    response = qc.post(f"{URL}/{ours.number}/actions", {"action": "triage", "version": 1})
    assert response.status_code == 403
    assert Dispute.objects.get(pk=ours.pk).version == 1


def test_admin_sees_and_acts_on_all(api_as, ours, theirs):
    admin = api_as(make_staff(Role.ADMIN))
    assert_sees(admin, visible=[ours, theirs], hidden=[])
    response = admin.post(f"{URL}/{theirs.number}/actions", {"action": "triage", "version": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "triaged"


def test_only_leads_and_admins_assign(api_as, agent, default_team, ours):
    # `ours` went to `agent` at intake: hand it to a colleague, so something changes.
    agent = make_staff(Role.AGENT, team=default_team)
    body = {"version": 1, "team": default_team.code, "assignee": agent.username}
    before = Dispute.objects.get(pk=ours.pk).assignee
    refused = api_as(agent).post(f"{URL}/{ours.number}/assignment", {**body, "assignee": None})
    assert refused.status_code == 403
    assert Dispute.objects.get(pk=ours.pk).assignee == before
    lead = api_as(make_staff(Role.TEAM_LEAD, team=default_team))
    done = lead.post(f"{URL}/{ours.number}/assignment", body)
    assert done.status_code == 200
    assert done.json()["assignee"] == agent.username
    assert done.json()["timeline"][-1]["kind"] == "assigned"


# --- authentication --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer as_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "as_token-without-scheme"},
    ],
    ids=["none", "bad-token", "empty-token", "basic", "no-scheme"],
)
def test_unauthenticated_is_401_json(ours, headers):
    client = Client()
    for response in (
        client.get(URL, headers=headers),
        client.get(f"{URL}/{ours.number}", headers=headers),
        client.post(
            f"{URL}/{ours.number}/actions",
            {"action": "triage", "version": 1},
            content_type="application/json",
            headers=headers,
        ),
    ):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == "unauthenticated"
        assert body["error"]["message"] and body["error"]["fields"] == {}
    assert Dispute.objects.get(pk=ours.pk).version == 1


def test_token_command_prints_a_working_token(agent, ours):
    out = io.StringIO()
    call_command("token", "create", agent.username, "--label", "ERP", stdout=out)
    lines = out.getvalue().strip().splitlines()
    token = lines[-1]
    assert token == token.strip() and " " not in token and token.startswith("as_")
    response = Client().get(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert {d["number"] for d in response.json()["items"]} == {ours.number}


def test_revoked_token_and_inactive_user_are_401(agent, ours):
    out = io.StringIO()
    call_command("token", "create", agent.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    assert Client().get(URL, headers=auth).status_code == 200
    call_command("token", "revoke", token[:8], stdout=io.StringIO())
    assert Client().get(URL, headers=auth).status_code == 401

    call_command("token", "create", agent.username, stdout=(out := io.StringIO()))
    auth = {"Authorization": f"Bearer {out.getvalue().strip().splitlines()[-1]}"}
    agent.is_active = False
    agent.save()
    assert Client().get(URL, headers=auth).status_code == 401


def test_token_command_refuses_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "nobody", stdout=io.StringIO())


def test_session_user_reads_and_needs_csrf_to_write(agent, ours):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(URL).status_code == 200
    response = client.post(
        f"{URL}/{ours.number}/actions",
        {"action": "triage", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert Dispute.objects.get(pk=ours.pk).version == 1


# --- personal data ---------------------------------------------------------------------


def test_lists_and_details_show_masked_phone_only(api_as, agent, ours):
    client = api_as(agent)
    listed = client.get(URL)
    assert listed.json()["items"][0]["customer"]["phone_masked"] == "138****1234"
    assert "13812341234" not in listed.content.decode()
    detail = client.get(f"{URL}/{ours.number}")
    assert detail.json()["customer"]["phone_masked"] == "138****1234"
    assert "13812341234" not in detail.content.decode()


def test_contact_reveal_returns_full_phone_and_is_on_the_timeline(api_as, agent, ours):
    client = api_as(agent)
    response = client.get(f"{URL}/{ours.number}/contact")
    assert response.status_code == 200
    assert response.json() == {"name": "张三", "phone": "13812341234", "email": ""}
    (event,) = Event.objects.filter(dispute=ours, kind=DisputeKind.CONTACT_REVEALED)
    assert event.actor == agent
    timeline = client.get(f"{URL}/{ours.number}").json()["timeline"]
    assert timeline[-1]["kind"] == "contact_revealed"
    assert timeline[-1]["actor"] == agent.username
    client.get(f"{URL}/{ours.number}/contact")
    assert Event.objects.filter(dispute=ours, kind=DisputeKind.CONTACT_REVEALED).count() == 2


def test_department_staff_cannot_reveal_contact(api_as, ours):
    Task.objects.create(dispute=ours, department="quality_control", kind="inspect", title="质检")
    qc = api_as(make_staff(Role.QUALITY_CONTROL))
    response = qc.get(f"{URL}/{ours.number}/contact")
    assert response.status_code == 403
    assert "13812341234" not in response.content.decode()
    assert not Event.objects.filter(dispute=ours, kind=DisputeKind.CONTACT_REVEALED).exists()


def test_contact_of_a_dispute_out_of_scope_is_404(api_as, agent, theirs):
    response = api_as(agent).get(f"{URL}/{theirs.number}/contact")
    assert response.status_code == 404
    assert "13900001111" not in response.content.decode()
    assert not Event.objects.filter(kind=DisputeKind.CONTACT_REVEALED).exists()
