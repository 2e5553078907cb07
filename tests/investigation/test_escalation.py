"""Escalation through the services and the API: the lifecycle move, the outside body's
deadlines as SLA timers on the working calendar, acceptance, outcome, the legal task."""

import datetime as dt

import pytest

from aftersales.common.errors import Conflict, Forbidden
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import DisputeKind
from aftersales.mediation.escalation import escalation_accept, escalation_conclude, escalation_file
from aftersales.mediation.models import Escalation
from aftersales.mediation.timeline import MediationKind
from aftersales.sla.models import Timer
from aftersales.sla.scan import sla_scan
from aftersales.sla.timeline import SlaKind
from tests.factories import make_dispute

from .conftest import LEAK, URL, apply, at, investigating

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(db):
    return investigating(make_dispute(description=LEAK))


def version(dispute):
    return Dispute.objects.get(pk=dispute.pk).version


def escalate(client, dispute, **body):
    data = {
        "version": version(dispute),
        "route": "regulator",
        "reason": "顾客已向 12315 投诉",
        "filed_on": "2026-09-29",
        "body": "某区市场监督管理局",
        "reference": "12315-2026-0929-001",
    }
    data.update(body)
    return client.post(f"{URL}/{dispute.number}/escalations", data)


def timer(dispute, code):
    return Timer.objects.get(dispute=dispute, kind__code=code)


def test_a_complaint_to_12315_escalates_and_starts_the_regulators_deadline(api_as, agent, dispute):
    response = escalate(api_as(agent), dispute)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["route"], body["state"], body["reference"]) == (
        "regulator",
        "filed",
        "12315-2026-0929-001",
    )
    d = Dispute.objects.get(pk=dispute.pk)
    assert d.status == "escalated"
    move = d.events.filter(kind=DisputeKind.ACTION).latest("id")
    assert (move.action, move.payload["route"], move.actor) == ("escalate", "regulator", agent)
    # 7 working days from the day after filing (Tue 29 Sep 2026): 30 Sep, then the
    # National Day holiday (1–7 Oct), 8, 9, 10 (a make-up Saturday), 12, 13, 14 Oct.
    acceptance = timer(dispute, "regulator_acceptance")
    assert acceptance.state == Timer.State.RUNNING
    assert acceptance.started_at == at("2026-09-29 23:59:59")
    assert acceptance.due_at == at("2026-10-14 23:59:59")
    assert (acceptance.limit, acceptance.unit) == (7, "working_days")
    (deadline,) = body["deadlines"]
    assert deadline["kind"] == "regulator_acceptance"
    assert deadline["due_at"] == "2026-10-14T23:59:59+08:00"
    filed = d.events.filter(kind=MediationKind.ESCALATION_FILED).get()
    assert filed.payload["deadlines"][0]["due_at"] == "2026-10-14T23:59:59+08:00"
    assert filed.payload["reference"] == "12315-2026-0929-001"
    # The deadline shows with the dispute's other timers.
    timers = api_as(agent).get(f"{URL}/{dispute.number}/timers").json()
    assert "regulator_acceptance" in {t["kind"] for t in timers}


def test_the_scan_escalates_a_missed_regulator_deadline(api_as, agent, dispute):
    assert escalate(api_as(agent), dispute).status_code == 201
    sla_scan(now=at("2026-10-14 23:00"))
    assert timer(dispute, "regulator_acceptance").state == Timer.State.RUNNING
    sla_scan(now=at("2026-10-15 09:00"))
    assert timer(dispute, "regulator_acceptance").state == Timer.State.BREACHED
    breach = Event.objects.filter(dispute=dispute, kind=SlaKind.SLA_BREACHED).get()
    assert "regulator_acceptance" in str(breach.payload)


def test_acceptance_stops_the_first_deadline_and_starts_the_mediation_period(
    api_as, agent, legal, dispute
):
    escalation_id = escalate(api_as(agent), dispute).json()["id"]
    response = api_as(legal).post(
        f"{URL}/{dispute.number}/escalations/{escalation_id}/acceptance",
        {"accepted_on": "2026-10-12", "reference": "受理-2026-1012"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["accepted_on"], body["reference"]) == (
        "accepted",
        "2026-10-12",
        "受理-2026-1012",
    )
    acceptance = timer(dispute, "regulator_acceptance")
    assert (acceptance.state, acceptance.stopped_at) == (
        Timer.State.STOPPED,
        at("2026-10-12 23:59:59"),
    )
    assert acceptance.stopped_at <= acceptance.due_at  # met
    # 60 days from the acceptance day (实施条例 Art. 46): ends at 24:00 of day 60.
    mediation = timer(dispute, "regulator_mediation")
    assert mediation.state == Timer.State.RUNNING
    assert mediation.due_at == at("2026-12-11 23:59:59")
    assert {d["kind"] for d in body["deadlines"]} == {
        "regulator_acceptance",
        "regulator_mediation",
    }
    event = Event.objects.filter(dispute=dispute, kind=MediationKind.ESCALATION_ACCEPTED).get()
    assert event.actor == legal
    assert event.payload["deadlines"][0]["kind"] == "regulator_mediation"


def test_the_outcome_is_recorded_and_stops_the_deadlines(api_as, agent, legal, dispute):
    client = api_as(agent)
    escalation_id = escalate(client, dispute).json()["id"]
    base = f"{URL}/{dispute.number}/escalations/{escalation_id}"
    client.post(f"{base}/acceptance", {"accepted_on": "2026-10-12"})
    response = api_as(legal).post(
        f"{base}/outcome",
        {
            "outcome": "agreement",
            "concluded_on": "2026-11-02",
            "note": "消协主持下达成退货退款协议",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["outcome"], body["outcome_label"]) == (
        "concluded",
        "agreement",
        "达成调解/和解协议",
    )
    assert body["outcome_note"] == "消协主持下达成退货退款协议"
    mediation = timer(dispute, "regulator_mediation")
    assert (mediation.state, mediation.stopped_at) == (
        Timer.State.STOPPED,
        at("2026-11-02 23:59:59"),
    )
    assert not Timer.objects.filter(
        dispute=dispute, kind__code__startswith="regulator", state__in=Timer.LIVE
    ).exists()
    event = Event.objects.filter(dispute=dispute, kind=MediationKind.ESCALATION_CONCLUDED).get()
    assert (event.payload["outcome"], event.reason) == ("agreement", "消协主持下达成退货退款协议")
    # The dispute moves on by the handler's own action: closing on the outcome.
    d = apply(dispute, "close", reason="12315 调解达成协议，结案")
    assert d.status == "closed"
    # A second outcome is refused.
    again = api_as(legal).post(f"{base}/outcome", {"outcome": "other", "note": "再来一次"})
    assert again.status_code == 409


def test_legal_task_is_created_when_none_is_open(agent, dispute):
    assert not Task.objects.filter(dispute=dispute, department="legal").exists()
    escalation = escalation_file(
        dispute=dispute,
        actor=agent,
        version=version(dispute),
        route="consumer_association",
        reason="顾客申请消协调解",
        filed_on=dt.date(2026, 10, 20),
        body="市消费者协会",
    )
    task = Task.objects.get(dispute=dispute, department="legal")
    assert (task.kind, task.state) == ("external_case", "open")
    assert "消协调解" in task.title
    assert escalation.legal_task == task
    # No outside deadline in legal.md for a consumer association: no timer, no invention.
    assert escalation_timers(dispute) == set()


def escalation_timers(dispute):
    return set(
        Timer.objects.filter(
            dispute=dispute, kind__code__in=["regulator_acceptance", "regulator_mediation"]
        ).values_list("kind__code", flat=True)
    )


def test_an_open_legal_task_is_reused(agent):
    major = investigating(
        make_dispute(
            description="热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。",
            customer={"name": "李四", "phone": "13900003333"},
        )
    )
    (existing,) = Task.objects.filter(dispute=major, department="legal", state="open")
    escalation = escalation_file(
        dispute=major,
        actor=agent,
        version=version(major),
        route="lawsuit",
        reason="顾客起诉",
        filed_on=dt.date(2026, 10, 20),
        body="某区人民法院",
        reference="(2026)沪0101民初1234号",
    )
    assert escalation.legal_task == existing
    assert Task.objects.filter(dispute=major, department="legal").count() == 1


def test_a_second_route_on_an_escalated_dispute(api_as, agent, dispute):
    client = api_as(agent)
    first = escalate(client, dispute, route="platform", reference="TM-88", filed_on="2026-10-20")
    assert first.status_code == 201
    after_first = version(dispute)
    assert timer(dispute, "platform_review").state == Timer.State.RUNNING
    second = escalate(client, dispute)
    assert second.status_code == 201, second.content
    d = Dispute.objects.get(pk=dispute.pk)
    # No second lifecycle move: the dispute was already escalated.
    assert (d.status, d.version) == ("escalated", after_first)
    assert d.events.filter(kind=DisputeKind.ACTION, action="escalate").count() == 1
    assert d.events.filter(kind=MediationKind.ESCALATION_FILED).count() == 2
    assert Task.objects.filter(dispute=dispute, department="legal").count() == 1
    view = client.get(f"{URL}/{dispute.number}/investigation").json()
    assert [e["route"] for e in view["escalations"]] == ["regulator", "platform"]
    platform = view["escalations"][1]
    assert [t["kind"] for t in platform["deadlines"]] == ["platform_review"]
    # The platform's outcome stops its review clock.
    outcome = client.post(
        f"{URL}/{dispute.number}/escalations/{platform['id']}/outcome",
        {"outcome": "for_customer", "concluded_on": "2026-10-22"},
    )
    assert outcome.status_code == 200
    assert timer(dispute, "platform_review").state == Timer.State.STOPPED


def test_the_same_route_twice_is_a_conflict(api_as, agent, dispute):
    client = api_as(agent)
    assert escalate(client, dispute).status_code == 201
    before = Event.objects.filter(dispute=dispute).count()
    response = escalate(client, dispute)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "escalation_route_open"
    assert Event.objects.filter(dispute=dispute).count() == before
    assert Escalation.objects.filter(dispute=dispute).count() == 1


def test_escalation_from_triaged_is_refused_by_the_lifecycle(api_as, agent):
    triaged = make_dispute(description=LEAK, customer={"name": "王五", "phone": "13900004444"})
    apply(triaged, "triage")
    response = escalate(api_as(agent), triaged)
    assert response.status_code in (409, 422), response.content
    assert not Escalation.objects.filter(dispute=triaged).exists()
    assert Dispute.objects.get(pk=triaged.pk).status == "triaged"
    assert not Timer.objects.filter(dispute=triaged, kind__code="regulator_acceptance").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"route": "media"}, "route"),
        ({"reason": " "}, "reason"),
        ({"filed_on": "2999-01-01"}, "filed_on"),
    ],
)
def test_bad_escalations_are_refused_with_the_field(api_as, agent, dispute, body, field):
    response = escalate(api_as(agent), dispute, **body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Dispute.objects.get(pk=dispute.pk).status == "investigating"


def test_stale_version_is_409(api_as, agent, dispute):
    response = escalate(api_as(agent), dispute, version=1)
    assert response.status_code == 409
    assert not Escalation.objects.exists()


def test_who_may_escalate_and_record_progress(legal, qc, dispute, agent):
    with pytest.raises(Forbidden):
        escalation_file(
            dispute=dispute,
            actor=legal,
            version=version(dispute),
            route="regulator",
            reason="x",
            filed_on=dt.date(2026, 10, 1),
        )
    escalation = escalation_file(
        dispute=dispute,
        actor=agent,
        version=version(dispute),
        route="regulator",
        reason="顾客投诉到 12315",
        filed_on=dt.date(2026, 10, 1),
    )
    with pytest.raises(Forbidden):
        escalation_accept(escalation=escalation, actor=qc, accepted_on=dt.date(2026, 10, 9))
    escalation_accept(escalation=escalation, actor=legal, accepted_on=dt.date(2026, 10, 9))
    with pytest.raises(Conflict):
        escalation_accept(escalation=escalation, actor=legal, accepted_on=dt.date(2026, 10, 9))
    escalation_conclude(
        escalation=escalation,
        actor=legal,
        outcome="mediation_failed",
        concluded_on=dt.date(2026, 11, 9),
        note="双方分歧较大，调解终止",
    )
    escalation.refresh_from_db()
    assert (escalation.state, escalation.outcome) == ("concluded", "mediation_failed")


def test_the_actions_endpoint_refuses_to_escalate_and_names_the_escalations_one(
    api_as, agent, dispute
):
    # Escalating is owned by POST …/escalations (route, legal's task, the outside body's
    # deadlines); the generic endpoint refuses it and records nothing, with or without a
    # reason or route.
    before = version(dispute)
    for body in (
        {"reason": "顾客已向 12315 投诉", "route": "regulator", "reference": "12315-0001"},
        {"route": "regulator"},
    ):
        response = api_as(agent).post(
            f"{URL}/{dispute.number}/actions", {"action": "escalate", "version": before, **body}
        )
        assert response.status_code == 409, response.content
        error = response.json()["error"]
        assert error["code"] == "action_owned"
        assert f"POST /api/v1/disputes/{dispute.number}/escalations" in error["message"]
    assert version(dispute) == before
    assert not Escalation.objects.filter(dispute=dispute).exists()
    assert not Task.objects.filter(dispute=dispute, department="legal").exists()
    assert escalation_timers(dispute) == set()


def test_escalating_without_a_reason_is_422_on_reason(api_as, agent, dispute):
    before = version(dispute)
    response = escalate(api_as(agent), dispute, reason="  ")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    assert response.json()["error"]["fields"]["reason"]
    assert version(dispute) == before
    assert not Escalation.objects.filter(dispute=dispute).exists()


def test_a_platform_route_added_after_12315_gets_its_own_review_clock(api_as, agent, dispute):
    """The second route has no lifecycle move of its own; its deadlines start all the same,
    each route's outcome stops only its own clocks."""
    client = api_as(agent)
    regulator = escalate(client, dispute).json()
    platform = escalate(client, dispute, route="platform", reference="TM-99", filed_on="2026-10-20")
    assert platform.status_code == 201, platform.content
    assert [d["kind"] for d in platform.json()["deadlines"]] == ["platform_review"]
    review = timer(dispute, "platform_review")
    # Three working days from the day after filing (Tue 20 Oct 2026): 21, 22, 23 Oct.
    assert (review.state, review.started_at, review.due_at) == (
        Timer.State.RUNNING,
        at("2026-10-20 23:59:59"),
        at("2026-10-23 23:59:59"),
    )
    assert timer(dispute, "regulator_acceptance").state == Timer.State.RUNNING
    d = Dispute.objects.get(pk=dispute.pk)
    assert d.events.filter(kind=DisputeKind.ACTION, action="escalate").count() == 1

    # 12315's outcome stops 12315's clock only.
    concluded = client.post(
        f"{URL}/{dispute.number}/escalations/{regulator['id']}/outcome",
        {"outcome": "not_accepted", "concluded_on": "2026-10-21"},
    )
    assert concluded.status_code == 200, concluded.content
    assert timer(dispute, "regulator_acceptance").state == Timer.State.STOPPED
    assert timer(dispute, "platform_review").state == Timer.State.RUNNING
    # The platform's outcome stops the platform's.
    client.post(
        f"{URL}/{dispute.number}/escalations/{platform.json()['id']}/outcome",
        {"outcome": "for_merchant", "concluded_on": "2026-10-22"},
    )
    review = timer(dispute, "platform_review")
    assert (review.state, review.stopped_at) == (Timer.State.STOPPED, at("2026-10-22 23:59:59"))
    assert not Timer.objects.filter(
        dispute=dispute, kind__code__in=["platform_review", "regulator_acceptance"], state="running"
    ).exists()


def test_12315_accepted_then_concluded_stops_every_regulator_clock(api_as, agent, legal, dispute):
    client = api_as(agent)
    escalation_id = escalate(client, dispute).json()["id"]
    api_as(legal).post(
        f"{URL}/{dispute.number}/escalations/{escalation_id}/acceptance",
        {"accepted_on": "2026-10-09"},
    )
    assert timer(dispute, "regulator_mediation").state == Timer.State.RUNNING
    response = api_as(legal).post(
        f"{URL}/{dispute.number}/escalations/{escalation_id}/outcome",
        {"outcome": "agreement", "concluded_on": "2026-10-30"},
    )
    assert response.status_code == 200
    mediation = timer(dispute, "regulator_mediation")
    assert (mediation.state, mediation.stopped_by) == (
        Timer.State.STOPPED,
        "event:escalation_concluded:regulator",
    )
