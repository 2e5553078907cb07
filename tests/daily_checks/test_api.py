"""GET /api/v1/daily-checks: each role sees the lists it should (SPEC §1, §8)."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_held_dispute, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/daily-checks"


@pytest.fixture
def other_team(db):
    return TeamFactory(code="team-b", name="调解二组")


@pytest.fixture
def outsider(other_team):
    """An agent of another team with one dispute untouched for three days."""
    user = make_staff(Role.AGENT, team=other_team)
    make_held_dispute(user, received_at=timezone.now() - dt.timedelta(days=3))
    return user


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["username"] for a in response.json()["agents"]]


def test_an_agent_gets_their_own_lists_with_what_is_late(api_as, agent, morning, outsider):
    response = api_as(agent).get(URL)
    assert usernames(response) == [agent.username]
    body = response.json()
    assert body["parcel_stale_days"] == 3
    (mine,) = body["agents"]
    (parcel,) = mine["stale_parcels"]
    assert parcel["number"] == morning.stale_parcel.number
    assert parcel["tracking_no"] == "SF0001" and parcel["quiet_days"] == 5
    (refund,) = mine["late_executions"]
    assert (refund["number"], refund["kind"], refund["amount"]) == (
        morning.late_refund.number,
        "refund_shipped",
        "199.00",
    )
    assert refund["expected_by"].endswith("+08:00")
    assert refund["aftersale_order"] == f"{morning.late_refund.number}-01"
    (paid,) = mine["unconfirmed_refunds"]
    assert (paid["number"], paid["amount"], paid["channel"], paid["late_hours"]) == (
        morning.unconfirmed_refund.number,
        "88.00",
        "alipay",
        48,
    )
    (swap,) = mine["unshipped_exchanges"]
    assert (swap["number"], swap["waiting_days"]) == (morning.unshipped_exchange.number, 4)
    (insured,) = mine["missing_insurance_payouts"]
    assert insured["number"] == morning.insurance_missing.number
    assert body["exchange_ship_days"] == 2
    assert [c["overdue"] for c in mine["due_commitments"]] == [True, False]
    assert [d["number"] for d in mine["untouched_disputes"]] == [morning.untouched.number]
    # Their own name in ?user= is the same list; a colleague's is not theirs to see.
    assert api_as(agent).get(URL, user=agent.username).json()["agents"] == body["agents"]
    hidden = api_as(agent).get(URL, user=outsider.username)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"


def test_an_agent_with_nothing_late_gets_an_empty_entry(api_as, default_team, morning):
    idle = make_staff(Role.AGENT, team=default_team)
    (entry,) = api_as(idle).get(URL).json()["agents"]
    assert entry["username"] == idle.username
    assert entry["stale_parcels"] == entry["untouched_disputes"] == []
    assert entry["unconfirmed_refunds"] == entry["missing_insurance_payouts"] == []


def test_a_team_lead_sees_their_teams_agents_only(api_as, agent, default_team, morning, outsider):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    assert usernames(api_as(lead).get(URL)) == [agent.username]
    assert usernames(api_as(lead).get(URL, user=agent.username)) == [agent.username]
    assert api_as(lead).get(URL, user=outsider.username).status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGEMENT, Role.ADMIN])
def test_supervision_management_and_admins_see_everyone(api_as, role, agent, morning, outsider):
    reader = make_staff(role)
    assert usernames(api_as(reader).get(URL)) == sorted([agent.username, outsider.username])
    assert usernames(api_as(reader).get(URL, user=outsider.username)) == [outsider.username]
    missing = api_as(reader).get(URL, user="nobody")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "role", [Role.FINANCE, Role.LOGISTICS, Role.QUALITY_CONTROL, Role.LEGAL, Role.OPERATIONS]
)
def test_other_roles_are_refused(api_as, role, agent, morning):
    response = api_as(make_staff(role)).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_without_a_token_the_answer_is_401(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
