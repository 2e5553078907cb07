"""/api/v1/disputes/{number}/follow-up, as a handler uses it: the visit due, a call that
closes the dispute with its closure summary, one that reopens it (the reopen count shows
on the dispute), bad ratings refused naming the field with nothing changed; and the
`renegotiate` action, which only fulfilment applies."""

import pytest

from aftersales.disputes import messages
from aftersales.disputes.lifecycle import Owner
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_staff

from .conftest import DAYS_AGO

pytestmark = pytest.mark.django_db


def url(dispute) -> str:
    return f"/api/v1/disputes/{dispute.number}/follow-up"


SATISFIED = {"reached": True, "resolved": True, "satisfaction": 5, "channel": "phone"}


def test_the_visit_due_is_shown(in_follow_up, agent, api_as):
    dispute = in_follow_up()

    body = api_as(agent).get(url(dispute)).json()

    assert (body["status"], body["reopen_count"], body["refund_expected"]) == (
        "follow_up",
        0,
        False,
    )
    (visit,) = body["visits"]
    assert (visit["state"], visit["state_label"], visit["attempts"]) == ("due", "待回访", 0)
    assert visit["overdue"] is False and visit["calls"] == []
    assert body["closure_summary"] is None


def test_a_satisfied_call_closes_with_a_summary(in_follow_up, lead, api_as):
    dispute = in_follow_up(with_refund=True)
    api = api_as(lead)

    response = api.post(url(dispute), {**SATISFIED, "refund_arrived": True, "comment": "已到账"})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "closed"
    (visit,) = body["visits"]
    assert (visit["state"], visit["result"], visit["satisfaction"]) == ("done", "closed", 5)
    assert visit["refund_arrived"] is True and visit["recorded_by"] == lead.username
    assert [c["reached"] for c in visit["calls"]] == [True]
    summary = body["closure_summary"]
    assert summary["outcome"] == "follow_up_satisfied"
    assert summary["satisfaction"] == 5
    assert DAYS_AGO - 0.1 <= summary["days_open"] <= DAYS_AGO + 0.1
    money = {row["type"]: row for row in summary["money"]["by_type"]}
    assert (money["refund_shipped"]["amount"], money["refund_shipped"]["paid"]) == (
        "100.00",
        "100.00",
    )
    assert money["compensation"]["paid"] == "50.00"
    # The accepted proposal's return was cancelled: nothing carried out, nothing paid.
    assert (money["return_refund"]["done"], money["return_refund"]["paid"]) == (0, "0.00")
    assert (summary["money"]["amount"], summary["money"]["paid"]) == ("150.00", "150.00")
    assert summary["deadlines_missed"] == {"count": 0, "kinds": []}
    # On the timeline too, after the close.
    timeline = api.get(f"/api/v1/disputes/{dispute.number}").json()["timeline"]
    assert [e["kind"] for e in timeline][-3:] == ["follow_up_recorded", "action", "closure_summary"]
    assert timeline[-1]["kind_label"] == "结案小结"


def test_an_unsatisfied_call_reopens_and_the_dispute_shows_the_count(in_follow_up, agent, api_as):
    dispute = in_follow_up()
    api = api_as(agent)

    response = api.post(url(dispute), {**SATISFIED, "satisfaction": 2, "comment": "太慢了"})

    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["reopen_count"]) == ("reopened", 1)
    shown = api.get(f"/api/v1/disputes/{dispute.number}").json()
    assert (shown["status"], shown["reopen_count"]) == ("reopened", 1)
    reopen = shown["timeline"][-1]
    assert reopen["action"] == "reopen"
    assert "顾客不满意" in reopen["reason"] and "2" in reopen["reason"]


def test_a_call_that_does_not_reach_the_customer_keeps_it_due(in_follow_up, agent, api_as):
    dispute = in_follow_up()

    response = api_as(agent).post(url(dispute), {"reached": False, "channel": "phone"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "follow_up"
    (visit,) = body["visits"]
    assert (visit["state"], visit["attempts"]) == ("due", 1)
    assert [(c["reached"], c["channel_label"]) for c in visit["calls"]] == [(False, "电话")]


@pytest.mark.parametrize("rating", [0, 6, 9, -3, 4.5, "abc", None])
def test_a_rating_outside_1_to_5_is_422_naming_it_and_changes_nothing(
    in_follow_up, agent, api_as, rating
):
    dispute = in_follow_up()
    api = api_as(agent)
    before = api.get(url(dispute)).json()
    events = Event.objects.filter(dispute=dispute).count()

    response = api.post(url(dispute), {**SATISFIED, "satisfaction": rating})

    assert response.status_code == 422
    assert "satisfaction" in response.json()["error"]["fields"]
    assert api.get(url(dispute)).json() == before
    assert Event.objects.filter(dispute=dispute).count() == events


def test_english_messages(in_follow_up, agent, api_as):
    dispute = in_follow_up()
    response = api_as(agent, language="en").post(url(dispute), {**SATISFIED, "satisfaction": 7})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"satisfaction"}


def test_who_may_record_and_see_it(in_follow_up, api_as, default_team):
    dispute = in_follow_up()
    other_team_agent = make_staff(Role.AGENT, team=TeamFactory())
    supervisor = make_staff(Role.SUPERVISOR)
    qc = make_staff(Role.QUALITY_CONTROL, team=default_team)

    assert api_as(other_team_agent).get(url(dispute)).status_code == 404
    assert api_as(other_team_agent).post(url(dispute), SATISFIED).status_code == 404
    assert api_as(supervisor).get(url(dispute)).status_code == 200  # reads every dispute
    assert api_as(supervisor).post(url(dispute), SATISFIED).status_code == 403
    assert api_as(qc).post(url(dispute), SATISFIED).status_code in (403, 404)
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_closing_on_the_customers_confirmation_cancels_the_visit(in_follow_up, agent, api_as):
    dispute = in_follow_up()
    api = api_as(agent)

    response = api.post(
        f"/api/v1/disputes/{dispute.number}/actions",
        {"action": "close", "version": dispute.version, "customer_confirmed": True},
    )

    assert response.status_code == 200, response.json()
    body = api.get(url(dispute)).json()
    assert [v["state"] for v in body["visits"]] == ["cancelled"]
    assert body["closure_summary"]["outcome"] == "customer_confirmed"


# --- renegotiate (退回调解): only fulfilment applies it ---------------------------------


def test_renegotiate_through_fulfilment_sends_the_dispute_back_to_investigation(executing):
    dispute = executing()

    moved = dispute_apply(
        dispute=dispute,
        action="renegotiate",
        actor=SYSTEM,
        version=dispute.version,
        reason="售后单验货不通过：人为损坏",
        via=Owner.FULFILMENT,
    )

    assert moved.status == "investigating"
    event = Event.objects.filter(dispute=dispute, kind="action").latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        "renegotiate",
        "executing",
        "investigating",
    )


def test_the_actions_endpoint_refuses_renegotiate(executing, lead, api_as):
    if Owner.FULFILMENT not in messages.DOOR_ENDPOINTS:
        pytest.xfail("disputes/messages.py DOOR_ENDPOINTS has no Owner.FULFILMENT yet (500)")
    dispute = executing()

    response = api_as(lead).post(
        f"/api/v1/disputes/{dispute.number}/actions",
        {"action": "renegotiate", "version": dispute.version, "reason": "验货不通过"},
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "action_owned"
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"


def test_visits_are_read_only_in_admin(in_follow_up, db):
    from django.test import Client

    from aftersales.followup.models import FollowUpVisit

    admin = make_staff(Role.ADMIN)
    client = Client()
    client.force_login(admin)
    visit = FollowUpVisit.objects.get(dispute=in_follow_up())
    assert client.get("/admin/followup/followupvisit/").status_code == 200
    assert client.get("/admin/followup/followupvisit/add/").status_code == 403
    assert client.post(f"/admin/followup/followupvisit/{visit.pk}/change/", {}).status_code == 403
