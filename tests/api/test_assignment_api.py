"""POST /api/v1/disputes/{number}/assignment: omitted fields keep their value, an explicit
null clears it, the assignee is an active case handler of the dispute's team, and a
committed change answers with what was committed."""

import pytest

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


@pytest.fixture
def other_team(db):
    return TeamFactory(code="team-b", name="调解二组")


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team, username="lead-a")


@pytest.fixture
def dispute(default_team, agent):
    """In the default team, assigned to `agent` (the only agent of the team)."""
    dispute = make_dispute(description="客服态度很差，问了三次都没人回复")
    assert (dispute.team, dispute.assignee) == (default_team, agent)
    return dispute


def assign(client, dispute, **body):
    version = Dispute.objects.get(pk=dispute.pk).version
    return client.post(f"{URL}/{dispute.number}/assignment", {"version": version, **body})


def placement(dispute):
    fresh = Dispute.objects.select_related("team", "assignee").get(pk=dispute.pk)
    return (
        fresh.team.code if fresh.team else None,
        fresh.assignee.username if fresh.assignee else None,
        fresh.version,
    )


def assigned_events(dispute):
    return list(Event.objects.filter(dispute=dispute, kind=DisputeKind.ASSIGNED))


def assert_refused(response, field):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    return error["fields"][field]


def test_a_body_with_only_the_version_changes_nothing(api_as, lead, dispute):
    before = placement(dispute)
    response = assign(api_as(lead), dispute)
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["assignee"]) == before[:2]
    assert placement(dispute) == before
    assert assigned_events(dispute) == []


def test_omitted_assignee_is_kept_when_the_team_changes(api_as, lead, dispute, other_team):
    # The lead of team B is also a member of the default team: a handler of both.
    both = make_staff(Role.TEAM_LEAD, team=dispute.team, username="both")
    Team.objects.filter(pk=other_team.pk).update(lead=both)
    assert assign(api_as(lead), dispute, assignee="both").status_code == 200
    response = assign(api_as(lead), dispute, team=other_team.code)
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["assignee"]) == ("team-b", "both")
    event = assigned_events(dispute)[-1]
    assert event.payload["before"] == {"team": dispute.team.code, "assignee": "both"}
    assert event.payload["after"] == {"team": "team-b", "assignee": "both"}


def test_kept_assignee_outside_the_new_team_is_refused(api_as, lead, dispute, other_team):
    before = placement(dispute)
    message = assert_refused(assign(api_as(lead), dispute, team=other_team.code), "assignee")
    assert dispute.assignee.username in message
    assert placement(dispute) == before
    assert assigned_events(dispute) == []


def test_omitted_team_is_kept_when_the_assignee_changes(api_as, lead, dispute, default_team):
    colleague = make_staff(Role.AGENT, team=default_team, username="colleague")
    response = assign(api_as(lead), dispute, assignee=colleague.username)
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["assignee"]) == (
        default_team.code,
        "colleague",
    )


def test_explicit_null_clears_the_assignee_and_keeps_the_team(api_as, lead, dispute):
    response = assign(api_as(lead), dispute, assignee=None)
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] is None
    assert placement(dispute)[:2] == (dispute.team.code, None)
    (event,) = assigned_events(dispute)
    assert event.payload["after"] == {"team": dispute.team.code, "assignee": None}


def test_a_team_cannot_be_cleared_under_its_assignee(api_as, lead, dispute):
    before = placement(dispute)
    assert_refused(assign(api_as(lead), dispute, team=None), "assignee")
    assert placement(dispute) == before


@pytest.mark.parametrize("who", ["inactive", "other_team", "finance", "supervisor"])
def test_assignee_must_be_an_active_handler_of_the_team(api_as, lead, dispute, other_team, who):
    if who == "inactive":
        user = make_staff(Role.AGENT, team=dispute.team)
        user.is_active = False
        user.save()
    elif who == "other_team":
        user = make_staff(Role.AGENT, team=other_team)
    elif who == "finance":
        user = make_staff(Role.FINANCE, team=dispute.team)
    else:
        user = make_staff(Role.SUPERVISOR, team=dispute.team)
    before = placement(dispute)
    message = assert_refused(assign(api_as(lead), dispute, assignee=user.username), "assignee")
    assert user.username in message
    assert placement(dispute) == before
    assert assigned_events(dispute) == []


def test_an_absent_agent_may_still_be_assigned_by_hand(api_as, lead, dispute, default_team):
    away = make_staff(Role.AGENT, team=default_team, username="away")
    away.staff_profile.is_available = False
    away.staff_profile.save()
    response = assign(api_as(lead), dispute, assignee="away")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "away"


@pytest.mark.parametrize(
    ("body", "field"), [({"team": "no-such-team"}, "team"), ({"assignee": "nobody"}, "assignee")]
)
def test_unknown_team_or_assignee_is_refused(api_as, lead, dispute, body, field):
    before = placement(dispute)
    assert_refused(assign(api_as(lead), dispute, **body), field)
    assert placement(dispute) == before


def test_lead_moving_a_dispute_out_of_their_team_gets_what_was_committed(
    api_as, lead, dispute, other_team
):
    agent_b = make_staff(Role.AGENT, team=other_team, username="agent-b")
    client = api_as(lead)
    response = assign(client, dispute, team=other_team.code, assignee=agent_b.username)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["team"], body["assignee"]) == ("team-b", "agent-b")
    assert body["version"] == placement(dispute)[2]
    assert body["timeline"][-1]["kind"] == "assigned"
    # Committed, and now out of the lead's scope.
    assert placement(dispute)[:2] == ("team-b", "agent-b")
    assert client.get(f"{URL}/{dispute.number}").status_code == 404


def test_a_dispute_left_without_a_team_is_listed_as_unassigned(api_as, lead, dispute):
    response = assign(api_as(lead), dispute, team=None, assignee=None)
    assert response.status_code == 200, response.content
    assert (response.json()["team"], response.json()["assignee"]) == (None, None)
    for reader in (make_staff(Role.SUPERVISOR), make_staff(Role.MANAGEMENT), lead):
        listed = api_as(reader).get(URL, assignee="none")
        assert listed.status_code == 200
        assert dispute.number in {d["number"] for d in listed.json()["items"]}
    # Another team's lead may pick it up from the pool into their own team.
    other = TeamFactory(code="team-c")
    lead_c = make_staff(Role.TEAM_LEAD, team=other, username="lead-c")
    taken = assign(api_as(lead_c), dispute, team="team-c", assignee="lead-c")
    assert taken.status_code == 200, taken.content
    assert placement(dispute)[:2] == ("team-c", "lead-c")


def test_agents_do_not_see_disputes_without_a_team(api_as, lead, dispute):
    assert assign(api_as(lead), dispute, team=None, assignee=None).status_code == 200
    listed = api_as(make_staff(Role.AGENT, team=dispute.team)).get(URL, assignee="none")
    assert dispute.number not in {d["number"] for d in listed.json()["items"]}
