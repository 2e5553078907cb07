"""POST /api/v1/disputes/{number}/contacts and /notes: 201 with the event, through the
same services as the workbench; refusals in the usual error shape."""

import pytest

from aftersales.disputes.models import Event
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


@pytest.fixture
def dispute(default_team, agent):
    return make_dispute(description="客服态度很差，问了三次都没人回复")


def test_an_agent_records_a_call(api_as, agent, dispute):
    response = api_as(agent).post(
        f"{URL}/{dispute.number}/contacts",
        {"channel": "phone", "direction": "outbound", "summary": "已致电顾客致歉并说明处理进度"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "customer_contacted"
    assert body["kind_label"] == "联系顾客"
    assert body["reason"] == "已致电顾客致歉并说明处理进度"
    assert body["payload"] == {"channel": "phone", "direction": "outbound"}
    timer = Timer.objects.get(dispute=dispute, kind__code="first_contact")
    assert (timer.state, timer.stopped_by) == ("stopped", "event:customer_contacted")


def test_bad_input_answers_422_naming_the_fields(api_as, agent, dispute):
    response = api_as(agent).post(
        f"{URL}/{dispute.number}/contacts",
        {"channel": "fax", "direction": "outbound", "summary": ""},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"channel", "summary"}
    assert not Event.objects.filter(dispute=dispute, kind="customer_contacted").exists()


def test_a_contact_in_the_future_is_refused(api_as, agent, dispute):
    response = api_as(agent).post(
        f"{URL}/{dispute.number}/contacts",
        {
            "channel": "chat",
            "direction": "inbound",
            "summary": "x",
            "at": "2099-01-01T10:00:00+08:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"at": "联系时间不能晚于现在"}


def test_a_note_is_added(api_as, agent, dispute):
    response = api_as(agent).post(f"{URL}/{dispute.number}/notes", {"text": "顾客要求只在下午联系"})
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["reason"]) == (
        "internal_note",
        "顾客要求只在下午联系",
    )


def test_roles_without_the_grant_get_403(api_as, dispute):
    # Management reads every dispute but neither calls customers nor writes notes.
    management = api_as(make_staff(Role.MANAGEMENT))
    body = {"channel": "phone", "direction": "outbound", "summary": "x"}
    assert management.post(f"{URL}/{dispute.number}/contacts", body).status_code == 403
    assert management.post(f"{URL}/{dispute.number}/notes", {"text": "x"}).status_code == 403
    assert not Event.objects.filter(
        dispute=dispute, kind__in=["customer_contacted", "internal_note"]
    )


def test_a_dispute_out_of_scope_is_404(api_as, dispute):
    outsider = make_staff(Role.AGENT, team=TeamFactory(code="team-y"))
    body = {"channel": "phone", "direction": "outbound", "summary": "x"}
    assert api_as(outsider).post(f"{URL}/{dispute.number}/contacts", body).status_code == 404
    assert api_as(outsider).post(f"{URL}/{dispute.number}/notes", {"text": "x"}).status_code == 404


def test_an_english_reader_gets_the_channels_listed_in_english(api_as, agent, dispute):
    response = api_as(agent, "en").post(
        f"{URL}/{dispute.number}/contacts",
        {"channel": "fax", "direction": "outbound", "summary": "Called"},
    )
    assert response.status_code == 422
    listed = response.json()["error"]["fields"]["channel"]
    assert "Phone, Text message" in listed and "、" not in listed
    assert not Event.objects.filter(dispute=dispute, kind="customer_contacted").exists()
