"""GET /api/v1/disputes/{number}/timers and pausing through the API."""

import pytest
from django.utils import timezone

from aftersales.parties.roles import Role
from aftersales.sla.models import PolicyVersion
from tests.factories import make_dispute, make_staff, walk_to

pytestmark = pytest.mark.django_db
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def test_timers_of_a_dispute(api_as, agent, order):
    client = api_as(agent)
    created = client.post(
        "/api/v1/disputes",
        {
            "channel": "api",
            "order_no": order.order_no,
            "customer": {"name": "张三", "phone": "13812341234"},
            "description": LEAK,
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    r = client.get(f"/api/v1/disputes/{number}/timers")
    assert r.status_code == 200, r.content
    by_kind = {t["kind"]: t for t in r.json()}
    assert set(by_kind) == {"classify", "acknowledge", "first_contact"}
    contact = by_kind["first_contact"]
    assert contact["name"] == "首次联系顾客"
    assert (contact["state"], contact["paused"], contact["clock"]) == ("running", False, "wall")
    assert contact["policy_version"] == PolicyVersion.objects.order_by("-number")[0].number
    assert 0 < contact["remaining_seconds"] <= 1800
    assert contact["due_at"].endswith("+08:00")
    assert created.json()["due_at"] == contact["due_at"]
    assert by_kind["classify"]["state"] == "stopped"
    assert by_kind["classify"]["remaining_seconds"] is None


def test_pause_and_resume_through_the_api(api_as, agent):
    d = make_dispute(description=LEAK, actor=agent, received_at=timezone.now().isoformat())
    client = api_as(agent)
    d = walk_to(d, "follow_up", actor=agent)
    r = client.post(f"/api/v1/disputes/{d.number}/timers/pause", {"reason": "顾客出差，约下周回访"})
    assert r.status_code == 200, r.content
    follow = next(t for t in r.json() if t["kind"] == "follow_up")
    assert follow["paused"] is True and follow["state"] == "paused"
    assert (
        client.post(f"/api/v1/disputes/{d.number}/timers/pause", {"reason": "x"}).status_code == 409
    )
    r = client.post(f"/api/v1/disputes/{d.number}/timers/resume", {})
    follow = next(t for t in r.json() if t["kind"] == "follow_up")
    assert follow["paused"] is False and follow["state"] == "running"


def test_timers_outside_ones_scope_are_404(api_as, default_team):
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    outsider = make_staff(Role.LOGISTICS)
    r = api_as(outsider).get(f"/api/v1/disputes/{d.number}/timers")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
