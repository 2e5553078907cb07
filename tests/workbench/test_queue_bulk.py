"""Bulk actions of the queue through Django's test client: assign (to me, to a person, to a
team) and reject as duplicates, each dispute on its own through the same services as the
API; refusals, stale versions and bad input reported, nothing silently dropped."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from aftersales.api import permission_matrix as matrix
from aftersales.api.permission_matrix import Door
from aftersales.disputes.grants import Op
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.states import Action
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from aftersales.workbench import urls as workbench_urls
from tests.factories import TeamFactory, make_dispute, make_staff, step

pytestmark = pytest.mark.django_db

ASSIGN = "/workbench/queue/assign/"
REJECT = "/workbench/queue/reject/"
BACK = "/workbench/?channel=api"
CASE_ROLES = (Role.AGENT, Role.TEAM_LEAD)


@pytest.fixture
def team():
    return Team.objects.get(is_default=True)


@pytest.fixture
def lead(team):
    return make_staff(Role.TEAM_LEAD, team=team)


@pytest.fixture
def agent(team):
    return make_staff(Role.AGENT, team=team)


def unassigned(**overrides):
    dispute = make_dispute(**overrides)
    Dispute.objects.filter(pk=dispute.pk).update(assignee=None)
    return Dispute.objects.get(pk=dispute.pk)


def pick(dispute, version=None):
    return f"{dispute.number}:{version or dispute.version}"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_urls_are_the_ones_the_page_posts_to():
    assert reverse("workbench:queue_bulk_assign") == ASSIGN
    assert reverse("workbench:queue_bulk_reject") == REJECT


def test_a_lead_assigns_several_to_an_agent_and_is_told_so(client, lead, agent):
    one, two = unassigned(), unassigned()
    client.force_login(lead)
    response = client.post(
        ASSIGN, {"pick": [pick(one), pick(two)], "assign-assignee": agent.username, "next": BACK}
    )
    assert response.status_code == 302
    assert response["Location"] == BACK
    for dispute in (one, two):
        dispute.refresh_from_db()
        assert dispute.assignee == agent
        assert dispute.events.filter(kind="assigned").exists()
    assert said(response) == [f"已分派 2 条投诉：{one.number}、{two.number}"]


def test_a_stale_row_and_a_refused_person_are_reported_the_rest_done(client, lead, agent):
    fresh, stale, elsewhere = unassigned(), unassigned(), unassigned()
    other = TeamFactory()
    Dispute.objects.filter(pk=elsewhere.pk).update(team=other)
    elsewhere.refresh_from_db()
    old_version = stale.version
    # Someone else changes `stale` after the page was shown.
    step(stale, "triage")
    client.force_login(make_staff(Role.ADMIN))
    response = client.post(
        ASSIGN,
        {
            "pick": [pick(fresh), pick(stale, old_version), pick(elsewhere)],
            "assign-assignee": agent.username,
            "next": BACK,
        },
    )
    assert response.status_code == 302
    messages = said(response)
    assert messages[0] == f"已分派 1 条投诉：{fresh.number}"
    assert messages[1].startswith(f"{stale.number} 未分派：")
    assert "已被他人修改" in messages[1]
    assert messages[2].startswith(f"{elsewhere.number} 未分派：")
    assert "不是小组" in messages[2]
    assert len(messages) == 3
    stale.refresh_from_db()
    elsewhere.refresh_from_db()
    assert stale.assignee is None and elsewhere.assignee is None


def test_assign_to_me_and_to_a_team(client, lead, team):
    dispute = unassigned()
    other = TeamFactory()
    client.force_login(lead)
    client.post(ASSIGN, {"pick": [pick(dispute)], "assign-assignee": "me", "next": BACK})
    dispute.refresh_from_db()
    assert dispute.assignee == lead
    # To another team, nobody in particular.
    response = client.post(
        ASSIGN,
        {
            "pick": [pick(dispute)],
            "assign-team": other.code,
            "assign-assignee": "none",
            "next": BACK,
        },
    )
    dispute.refresh_from_db()
    assert (dispute.team, dispute.assignee) == (other, None)
    assert said(response)[-1] == f"已分派 1 条投诉：{dispute.number}"


def test_assign_to_me_takes_a_dispute_from_the_pool_into_my_team(client, lead, team):
    """The `a` shortcut posts assign-assignee=me with the team the page names (the lead's
    one team), so a dispute without a team (the pool leads pick from) can be taken."""
    pooled = unassigned()
    Dispute.objects.filter(pk=pooled.pk).update(team=None)
    pooled.refresh_from_db()
    client.force_login(lead)
    page = client.get("/workbench/").content.decode()
    assert f'data-my-team="{team.code}"' in page
    assert f'data-pick="{pick(pooled)}"' in page
    response = client.post(
        ASSIGN, {"pick": [pick(pooled)], "assign-assignee": "me", "assign-team": team.code}
    )
    assert said(response) == [f"已分派 1 条投诉：{pooled.number}"]
    pooled.refresh_from_db()
    assert (pooled.team, pooled.assignee) == (team, lead)


def test_a_dispute_outside_my_scope_is_reported_not_touched(client, agent):
    lead_elsewhere = make_staff(Role.TEAM_LEAD, team=TeamFactory())
    dispute = unassigned()  # the default team, not the lead's
    client.force_login(lead_elsewhere)
    response = client.post(ASSIGN, {"pick": [pick(dispute)], "assign-assignee": "me"})
    assert said(response) == [f"{dispute.number} 未分派：找不到该投诉，或您无权查看"]
    dispute.refresh_from_db()
    assert dispute.assignee is None


def test_an_agent_may_not_assign_at_all(client, agent):
    dispute = unassigned()
    client.force_login(agent)
    events = Event.objects.count()
    response = client.post(ASSIGN, {"pick": [pick(dispute)], "assign-assignee": "me"})
    assert response.status_code == 403
    assert Event.objects.count() == events
    dispute.refresh_from_db()
    assert dispute.assignee is None
    # Nor does the page offer it: no assign form, no `a` shortcut.
    body = client.get("/workbench/").content.decode()
    assert 'id="bulk-assign"' not in body
    assert "data-assign-url" not in body
    # An agent may reject, so the bulk form is there with that action alone.
    assert 'id="bulk-reject"' in body


def test_readers_get_no_bulk_actions(client):
    make_dispute()
    client.force_login(make_staff(Role.SUPERVISOR))
    body = client.get("/workbench/").content.decode()
    assert 'id="bulk"' not in body
    assert 'name="pick"' not in body
    assert client.post(REJECT, {}).status_code == 403
    assert client.post(ASSIGN, {}).status_code == 403


def test_a_door_answers_get_with_405_to_those_let_in(client, lead, agent):
    client.force_login(lead)
    assert client.get(ASSIGN).status_code == 405
    client.force_login(agent)
    assert client.get(ASSIGN).status_code == 403
    assert client.get(REJECT).status_code == 405


def test_bad_assign_input_comes_back_on_the_form(client, lead):
    dispute = unassigned()
    client.force_login(lead)
    response = client.post(ASSIGN, {"assign-assignee": "ghost", "next": BACK})
    assert response.status_code == 422
    body = response.content.decode()
    assert "请先勾选要处理的投诉" in body
    assert "用户“ghost”不存在" in body
    assert '<details class="action" open id="bulk-assign">' in body
    # Nothing chosen to assign to.
    response = client.post(ASSIGN, {"pick": [pick(dispute)], "next": BACK})
    assert response.status_code == 422
    body = response.content.decode()
    assert "请选择要分派到的小组或处理人" in body
    # The row stays ticked.
    assert f'value="{pick(dispute)}" form="bulk" id="pick-{dispute.number}" checked' in body
    # A forged pick.
    response = client.post(ASSIGN, {"pick": ["x'; drop", "SH1:abc"], "assign-assignee": "me"})
    assert response.status_code == 422
    assert "勾选的投诉无效" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.assignee is None


def test_reject_duplicates_with_a_reason_and_the_original(client, agent):
    original = make_dispute()
    copies = [step(make_dispute(), "triage") for _ in range(2)]
    client.force_login(agent)
    response = client.post(
        REJECT,
        {
            "pick": [pick(d) for d in copies],
            "reject-original": original.number.lower(),
            "reject-reason": "顾客重复提交了同一问题",
            "next": BACK,
        },
    )
    assert response.status_code == 302
    assert said(response) == [f"已作为重复投诉驳回 2 条：{copies[0].number}、{copies[1].number}"]
    for dispute in copies:
        dispute.refresh_from_db()
        assert dispute.status == "rejected"
        event = dispute.events.filter(kind="action").latest("id")
        assert event.reason == "顾客重复提交了同一问题"
        assert event.payload == {"ground": "duplicate", "duplicate_of": original.number}
    original.refresh_from_db()
    assert original.status == "received"


def test_reject_reports_each_one_the_lifecycle_refuses(client, agent):
    original = make_dispute()
    triaged = step(make_dispute(), "triage")
    fresh = make_dispute()  # still received: rejecting needs it triaged first
    client.force_login(agent)
    response = client.post(
        REJECT,
        {
            "pick": [pick(triaged), pick(fresh), pick(original)],
            "reject-original": original.number,
            "reject-reason": "重复",
        },
    )
    messages = said(response)
    assert messages[0] == f"已作为重复投诉驳回 1 条：{triaged.number}"
    assert messages[1].startswith(f"{fresh.number} 未驳回：")
    assert messages[2] == f"{original.number} 未驳回：不能把投诉驳回为它自己的重复"
    fresh.refresh_from_db()
    original.refresh_from_db()
    assert fresh.status == original.status == "received"


def test_reject_needs_a_reason_and_an_original_one_can_see(client, agent):
    copy = step(make_dispute(), "triage")
    client.force_login(agent)
    response = client.post(
        REJECT, {"pick": [pick(copy)], "reject-original": "SH20990101000001", "next": BACK}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "找不到投诉 SH20990101000001" in body
    assert "这个字段是必填项" in body
    assert '<details class="action" open id="bulk-reject">' in body
    assert 'value="SH20990101000001"' in body  # what was typed stays
    copy.refresh_from_db()
    assert copy.status == "triaged"


# The queue's rows of the role matrix (aftersales.api.permission_matrix.PAGE_DOORS); a
# POST door answers a role let in with 405 to a GET (the matrix tries pages with GET) and
# 403 to a role refused, whatever the method.
QUEUE_DOORS = (
    Door("GET", "workbench:dispute_list", Op.VIEW_DISPUTE, scoped=False),
    Door("GET", "workbench:my_work", Op.VIEW_DISPUTE, scoped=False),
    Door("POST", "workbench:queue_bulk_assign", Op.ASSIGN, scoped=False),
    Door("POST", "workbench:queue_bulk_reject", Action.REJECT, scoped=False),
    Door("POST", "workbench:saved_view_save", Op.VIEW_DISPUTE, scoped=False),
    Door("POST", "workbench:saved_view_delete", Op.VIEW_DISPUTE, scoped=False),
)


@pytest.mark.parametrize("door", QUEUE_DOORS, ids=lambda d: d.path)
def test_each_door_answers_every_role_as_the_matrix_row_says(client, team, door):
    for role in matrix.ROLES:
        client.force_login(make_staff(role, team=team if role in CASE_ROLES else None))
        events = Event.objects.count()
        for method in ("get", "post"):
            response = getattr(client, method)(reverse(door.path))
            status = response.status_code
            to_login = status == 302 and "/accounts/login/" in response["Location"]
            got = matrix.REFUSED if status == 403 or to_login else matrix.ALLOWED
            assert status < 500, (role, method, status)
            assert got == matrix.expected(door, role), (role, method, status)
        assert Event.objects.count() == events
    # Every one of them is a workbench URL.
    assert {d.path for d in QUEUE_DOORS} <= {
        f"workbench:{p.name}" for p in workbench_urls.urlpatterns if p.name
    }
