"""Triage at intake, through the API: classification event, routing rules, department
tasks, inbox notifications, least-loaded assignment, and agents' corrections."""

import pytest

from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.services import dispute_assign
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.triage.models import Feedback, RoutingRule
from aftersales.triage.timeline import TriageKind
from tests.conftest import intake_body
from tests.factories import OrderFactory, TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"
CRUSHED = "快递太暴力了，箱子压扁了，里面的杯子全碎了，要求补发。"
THREAT = "买的面膜是假货，防伪码查不到，再不给说法我就打12315投诉你们，还要找媒体曝光。"
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"


def create(client, order, text, **extra):
    r = client.post("/api/v1/disputes", intake_body(order, description=text, **extra))
    assert r.status_code == 201, r.content
    return r.json()


def events_of(number, kind):
    return list(Event.objects.filter(dispute__number=number, kind=kind).order_by("at", "id"))


def test_every_intake_is_classified_on_the_timeline(api_as, agent, order):
    body = create(api_as(agent), order, LEAK)
    assert body["category"] == "quality"
    (classified,) = events_of(body["number"], TriageKind.CLASSIFIED)
    assert classified.payload["category"] == "quality"
    assert classified.payload["model_version"]
    assert 0 <= classified.payload["confidence"] <= 1
    assert classified.payload["signals"], "an agent must see why"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds.index("intake") < kinds.index("classified") < kinds.index("routed")


def test_traditional_text_is_classified_like_simplified(api_as, agent):
    client = api_as(agent)
    simplified = create(client, OrderFactory(), CRUSHED)
    traditional = create(
        client, OrderFactory(), "快遞太暴力了，箱子壓扁了，裡面的杯子全碎了，要求補發。"
    )
    assert traditional["category"] == simplified["category"] == "logistics"


@pytest.mark.parametrize(
    ("text", "department", "rule"),
    [
        (LEAK, "quality_control", "qc-inspection"),
        (CRUSHED, "logistics", "logistics-trace"),
        ("直播间说好的赠品没给，第二天还降价两百，要求退差价。", "operations", "promotion-check"),
    ],
)
def test_routing_creates_the_department_task(api_as, agent, text, department, rule):
    body = create(api_as(agent), OrderFactory(), text)
    task = Task.objects.get(dispute__number=body["number"], department=department)
    assert task.state == Task.State.OPEN
    (routed,) = events_of(body["number"], TriageKind.ROUTED)
    assert rule in routed.payload["rules"]
    assert {t["department"] for t in routed.payload["tasks"]} >= {department}


def test_escalation_goes_to_legal_and_the_team_lead(api_as, default_team, order):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    default_team.lead = lead
    default_team.save()
    agent = make_staff(Role.AGENT, team=default_team)
    body = create(api_as(agent), order, THREAT)
    assert body["escalation_risk"] is True
    assert Task.objects.filter(dispute__number=body["number"], department="legal").count() == 1
    inbox = api_as(lead).get("/api/v1/notifications").json()
    assert [n["dispute"] for n in inbox] == [body["number"]]


def test_major_is_reported_to_management(api_as, agent, order):
    manager = make_staff(Role.MANAGEMENT)
    body = create(api_as(agent), order, SHOCK)
    assert body["severity"] == "major"
    inbox = api_as(manager).get("/api/v1/notifications?unread=true").json()
    assert len(inbox) == 1 and inbox[0]["kind"] == "major"
    (routed,) = events_of(body["number"], TriageKind.ROUTED)
    assert "management-major" in routed.payload["management_notified_by"]
    read = api_as(manager).post(f"/api/v1/notifications/{inbox[0]['id']}/read")
    assert read.json()["read_at"] is not None
    assert api_as(manager).get("/api/v1/notifications?unread=true").json() == []


def test_rules_are_data_an_admin_can_switch_off(api_as, agent, order):
    rule = RoutingRule.objects.get(code="qc-inspection")
    rule.is_active = False
    rule.save()  # as the admin form does
    body = create(api_as(agent), order, LEAK)
    assert not Task.objects.filter(dispute__number=body["number"]).exists()


def test_least_loaded_available_agent_is_assigned(api_as):
    team = TeamFactory()
    busy = make_staff(Role.AGENT, team=team, username="busy")
    light = make_staff(Role.AGENT, team=team, username="light")
    away = make_staff(Role.AGENT, team=team, username="away")
    away.staff_profile.is_available = False
    away.staff_profile.save()
    # busy: one major (weight 3); light: two general (weight 2); away: nothing but absent.
    major = make_dispute(description=SHOCK, customer={"name": "甲", "phone": "13600000001"})
    dispute_assign(dispute=major, actor=SYSTEM, version=major.version, team=team, assignee=busy)
    for i in range(2):
        d = make_dispute(customer={"name": "乙", "phone": f"1360000001{i}"})
        dispute_assign(dispute=d, actor=SYSTEM, version=d.version, team=team, assignee=light)
    RoutingRule.objects.create(code="to-team", name="全部给测试组", priority=1, team=team)
    admin = make_staff(Role.ADMIN)
    body = create(api_as(admin), OrderFactory(), CRUSHED)
    assert body["team"] == team.code
    assert body["assignee"] == "light"
    (routed,) = events_of(body["number"], TriageKind.ROUTED)
    assert routed.payload["assignee"] == "light"
    assert routed.payload["assignment"] == "least_loaded"
    inbox = api_as(light).get("/api/v1/notifications").json()
    assert inbox[0]["kind"] == "assigned" and inbox[0]["dispute"] == body["number"]


def test_agent_recording_a_phone_complaint_keeps_it(api_as, agent, order):
    body = create(api_as(agent), order, LEAK, channel="phone")
    assert body["assignee"] == agent.username


def test_agent_corrects_the_classification(api_as, agent, order):
    client = api_as(agent)
    body = create(client, order, LEAK)
    r = client.post(
        f"/api/v1/disputes/{body['number']}/classification",
        {
            "category": "counterfeit",
            "severity": "complex",
            "reason": "顾客提供了鉴定报告，是假货",
            "version": body["version"],
        },
    )
    assert r.status_code == 200, r.content
    after = r.json()
    assert (after["category"], after["severity"]) == ("counterfeit", "complex")
    assert after["version"] == body["version"] + 1
    (event,) = events_of(body["number"], TriageKind.RECLASSIFIED)
    assert event.payload["before"]["category"] == "quality"
    assert event.payload["after"]["category"] == "counterfeit"
    assert event.reason == "顾客提供了鉴定报告，是假货"
    feedback = Feedback.objects.get(dispute__number=body["number"])
    assert feedback.category == "counterfeit" and feedback.text == LEAK
    # The new category's routing runs: counterfeit goes to legal as well.
    assert Task.objects.filter(dispute__number=body["number"], department="legal").exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"category": "counterfeit"}, 422, "reason"),
        ({"category": "nonsense", "reason": "x"}, 422, "category"),
        ({"severity": "huge", "reason": "x"}, 422, "severity"),
        ({"reason": "没有改什么"}, 422, "category"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    api_as, agent, order, change, status, field
):
    client = api_as(agent)
    body = create(client, order, LEAK)
    r = client.post(
        f"/api/v1/disputes/{body['number']}/classification", {**change, "version": body["version"]}
    )
    assert r.status_code == status
    assert field in r.json()["error"]["fields"]
    assert Dispute.objects.get(number=body["number"]).category == "quality"
    assert not Feedback.objects.exists()


def test_stale_correction_is_a_conflict(api_as, agent, order):
    client = api_as(agent)
    body = create(client, order, LEAK)
    r = client.post(
        f"/api/v1/disputes/{body['number']}/classification",
        {"severity": "major", "reason": "涉及安全", "version": body["version"] - 1},
    )
    assert r.status_code == 409
    assert not events_of(body["number"], TriageKind.RECLASSIFIED)


def test_readers_may_not_correct(api_as, agent, order):
    body = create(api_as(agent), order, LEAK)
    supervisor = api_as(make_staff(Role.SUPERVISOR))
    r = supervisor.post(
        f"/api/v1/disputes/{body['number']}/classification",
        {"severity": "major", "reason": "x", "version": body["version"]},
    )
    assert r.status_code == 403
