"""POST /api/v1/disputes/{number}/tasks: a handler asks any department for a task on a
dispute of any category, so a defect can come from a QC report on a false-advertising or
promotion case, not only on the `quality` category routing sends to QC (issue 10)."""

import pytest

from aftersales.disputes.models import Event, Task
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Department, Role
from aftersales.sla.models import Timer, TimerKind
from aftersales.sla.services import timer_kind_save
from tests.factories import OrderFactory, make_dispute, make_staff

from .conftest import URL

pytestmark = pytest.mark.django_db

PROMO = "直播间说下单立减100元，结算时没有减，而且收到的锅底有裂纹，要求退货。"


@pytest.fixture
def dispute(db):
    """A price-promotion dispute: routing asks operations, not quality control."""
    found = make_dispute(OrderFactory(), description=PROMO)
    assert found.category == "price_promotion"
    assert not found.tasks.filter(department="quality_control").exists()
    return found


def ask(client, dispute, department="quality_control", note="请检验锅底裂纹是否为质量缺陷"):
    return client.post(f"{URL}/{dispute.number}/tasks", {"department": department, "note": note})


def requested(dispute) -> tuple[int, int]:
    return (
        Task.objects.filter(dispute=dispute).count(),
        Event.objects.filter(dispute=dispute, kind=MediationKind.TASK_REQUESTED).count(),
    )


def test_an_agent_asks_quality_control_on_a_promotion_case(api_as, agent, dispute):
    r = ask(api_as(agent), dispute)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["department"], body["kind"], body["state"]) == (
        "quality_control",
        "qc_inspection",  # routing's kind for QC, so its SLA timer kinds apply
        "open",
    )
    assert body["title"] == "请检验锅底裂纹是否为质量缺陷"
    (event,) = Event.objects.filter(dispute=dispute, kind=MediationKind.TASK_REQUESTED)
    assert event.actor == agent and event.reason == "请检验锅底裂纹是否为质量缺陷"
    assert event.payload["task"] == body["id"]
    assert event.payload["department"] == "quality_control"


def test_the_department_then_sees_the_dispute_and_its_report_gives_the_defect(
    api_as, agent, dispute
):
    qc = make_staff(Role.QUALITY_CONTROL)
    assert api_as(qc).get(f"{URL}/{dispute.number}").status_code == 404
    task_id = ask(api_as(agent), dispute).json()["id"]
    assert api_as(qc).get(f"{URL}/{dispute.number}").status_code == 200
    report = {
        "text": "锅底铸造裂纹，属生产缺陷。",
        "defect_found": True,
        "defect_severity": "major",
    }
    r = api_as(qc).post(f"{URL}/{dispute.number}/tasks/{task_id}/report", report)
    assert r.status_code == 201, r.content
    body = api_as(agent).get(f"{URL}/{dispute.number}/entitlements").json()
    assert body["sources"]["defect"] == "qc_report"
    assert body["facts"]["defect"] in {"quality", "performance_fault"}


def test_a_second_open_task_for_the_same_department_is_a_conflict(api_as, agent, dispute):
    assert ask(api_as(agent), dispute).status_code == 201
    before = requested(dispute)
    again = ask(api_as(agent), dispute, note="再查一次")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "task_open"
    assert requested(dispute) == before
    # Another department is another task.
    assert ask(api_as(agent), dispute, department="legal").status_code == 201


def test_once_the_task_is_done_the_department_can_be_asked_again(api_as, agent, dispute):
    from aftersales.mediation.investigation import task_report_file

    task = Task.objects.get(pk=ask(api_as(agent), dispute).json()["id"])
    task_report_file(task=task, actor=SYSTEM, text="无缺陷", defect_found=False)
    assert ask(api_as(agent), dispute, note="顾客补充了新照片，请复检").status_code == 201


def test_a_department_routing_never_names_gets_a_request_kind(api_as, agent, dispute):
    r = ask(api_as(agent), dispute, department="finance", note="")
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "finance_request"
    assert r.json()["title"] == "财务部：协查"


def test_an_unknown_department_is_refused_listing_them(api_as, agent, dispute):
    before = requested(dispute)
    r = ask(api_as(agent), dispute, department="marketing")
    assert r.status_code == 422
    message = r.json()["error"]["fields"]["department"]
    assert all(d.value in message for d in Department)
    assert requested(dispute) == before


def test_the_task_is_due_when_the_sla_policy_times_that_kind(api_as, agent, dispute):
    # By default the QC hour starts when QC is notified; an admin may time it from the
    # task's creation instead.
    kind = TimerKind.objects.get(code="qc_report")
    kind.start_signal = "task:qc_inspection:created"
    timer_kind_save(kind=kind, actor=SYSTEM, note="质检报告从建任务起算")
    body = ask(api_as(agent), dispute).json()
    timer = Timer.objects.get(dispute=dispute, kind__code="qc_report")
    assert timer.state == Timer.State.RUNNING
    assert Task.objects.get(pk=body["id"]).due_at == timer.due_at
    assert body["due_at"] is not None


def test_departments_may_not_ask_other_departments(api_as, agent, dispute):
    qc = make_staff(Role.QUALITY_CONTROL)
    ask(api_as(agent), dispute)
    before = requested(dispute)
    r = ask(api_as(qc), dispute, department="legal")
    assert r.status_code == 403
    assert requested(dispute) == before


def test_someone_who_cannot_see_the_dispute_gets_404(api_as, dispute):
    outsider = make_staff(Role.LOGISTICS)
    assert ask(api_as(outsider), dispute).status_code == 404
    assert requested(dispute) == (dispute.tasks.count(), 0)


def test_admins_and_team_leads_may_ask(api_as, lead, dispute):
    assert ask(api_as(lead), dispute).status_code == 201
    assert ask(api_as(make_staff(Role.ADMIN)), dispute, department="legal").status_code == 201


def test_a_note_longer_than_allowed_is_refused(api_as, agent, dispute):
    r = ask(api_as(agent), dispute, note="x" * 1001)
    assert r.status_code == 422
    assert "note" in r.json()["error"]["fields"]
