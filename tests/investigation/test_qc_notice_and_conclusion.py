"""SPEC §4's two limits that did not run (issue 12 item 7): QC's report is due an hour
after the handler tells QC the goods or photos are ready, and the proposal two hours
after the investigation is concluded. Through the services and the API."""

import pytest

from aftersales.disputes.models import Event, Task
from aftersales.mediation.investigation import case_meeting_record, responsibility_determine
from aftersales.mediation.investigation_milestones import investigation_conclude, qc_notify
from aftersales.parties.actors import SYSTEM
from aftersales.sla.models import Timer
from tests.factories import make_dispute, step

from .conftest import LEAK, URL, at

pytestmark = pytest.mark.django_db

MONDAY = "2026-03-02T10:00:00+08:00"
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
SUMMARY = "质检确认焊缝渗水属生产缺陷，物流无责，商家承担全部责任。"


def investigating(description=LEAK, agent=None):
    d = make_dispute(description=description, received_at=MONDAY)
    if agent is not None:
        d.assignee = agent
        d.save(update_fields=["assignee"])
    step(d, "triage", at=at("2026-03-02 10:05"))
    return step(d, "investigate", at=at("2026-03-02 10:10"))


def qc_task(dispute):
    return Task.objects.get(dispute=dispute, kind="qc_inspection")


def clock(dispute, code):
    return Timer.objects.filter(dispute=dispute, kind__code=code).order_by("-id").first()


def events(dispute, kind):
    return list(Event.objects.filter(dispute=dispute, kind=kind).order_by("id"))


# -- QC notified ------------------------------------------------------------------------


def test_the_qc_hour_runs_from_the_notice_and_the_task_shows_it():
    d = investigating()
    assert clock(d, "qc_report") is None  # the task from intake starts nothing
    event = qc_notify(
        task=qc_task(d), actor=SYSTEM, note="顾客视频已上传", at=at("2026-03-02 14:00")
    )
    assert (event.kind, event.reason, event.payload["task"]) == (
        "qc_notified",
        "顾客视频已上传",
        qc_task(d).pk,
    )
    timer = clock(d, "qc_report")
    assert (timer.state, timer.due_at) == ("running", at("2026-03-02 15:00"))
    assert qc_task(d).due_at == at("2026-03-02 15:00")


def test_qc_notified_through_the_api(api_as, agent, qc):
    d = investigating(agent=agent)
    url = f"{URL}/{d.number}/tasks/{qc_task(d).pk}/qc-notify"
    r = api_as(agent).post(url, {"note": "商品已寄到质检"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["kind"], body["state"]) == ("qc_inspection", "open")
    assert body["due_at"] is not None
    assert clock(d, "qc_report").state == "running"

    # Once per pending report.
    again = api_as(agent).post(url, {})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "qc_already_notified"
    assert len(events(d, "qc_notified")) == 1

    # QC itself does not notify QC; the report then stops the hour.
    assert api_as(qc).post(url, {}).status_code == 403
    report = api_as(qc).post(
        f"{URL}/{d.number}/tasks/{qc_task(d).pk}/report",
        {"text": "未见缺陷", "defect_found": False},
    )
    assert report.status_code == 201, report.content
    assert clock(d, "qc_report").stopped_by == "task:qc_inspection:done"
    done = api_as(agent).post(url, {})
    assert (done.status_code, done.json()["error"]["code"]) == (409, "task_not_open")


def test_only_a_quality_control_task_is_notified(api_as, agent):
    d = investigating(agent=agent)
    legal = Task.objects.create(dispute=d, department="legal", kind="legal_review", title="法务")
    r = api_as(agent).post(f"{URL}/{d.number}/tasks/{legal.pk}/qc-notify", {})
    assert r.status_code == 422
    assert "task" in r.json()["error"]["fields"]
    assert events(d, "qc_notified") == []


def test_a_task_of_another_dispute_is_not_found(api_as, agent):
    d = investigating(agent=agent)
    other = make_dispute(description=LEAK, customer={"name": "李四", "phone": "13900002222"})
    r = api_as(agent).post(f"{URL}/{d.number}/tasks/{qc_task(other).pk}/qc-notify", {})
    assert r.status_code == 404


# -- the investigation concluded ----------------------------------------------------------


def test_concluding_starts_the_proposal_hours_and_ends_the_investigation_clock():
    d = investigating()
    assert (d.severity, clock(d, "investigation_general").state) == ("general", "running")
    investigation_conclude(dispute=d, actor=SYSTEM, summary=SUMMARY, at=at("2026-03-02 16:00"))
    general = clock(d, "investigation_general")
    assert (general.state, general.stopped_by) == ("stopped", "event:investigation_concluded")
    proposal = clock(d, "proposal")
    assert (proposal.state, proposal.due_at) == ("running", at("2026-03-02 18:00"))
    (event,) = events(d, "investigation_concluded")
    assert event.reason == SUMMARY

    d = step(d, "propose", at=at("2026-03-02 17:00"))
    proposal.refresh_from_db()
    assert (proposal.state, proposal.stopped_by) == ("stopped", "action:propose")


def test_concluded_through_the_api(api_as, agent):
    d = investigating(agent=agent)
    url = f"{URL}/{d.number}/investigation/conclude"
    r = api_as(agent).post(url, {"summary": SUMMARY})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["summary"], body["concluded_by"]) == (SUMMARY, agent.username)
    running = {t["kind"] for t in body["timers"] if t["state"] == "running"}
    assert "proposal" in running and "investigation_general" not in running

    again = api_as(agent).post(url, {"summary": "补充结论"})
    assert (again.status_code, again.json()["error"]["code"]) == (
        409,
        "investigation_already_concluded",
    )
    assert len(events(d, "investigation_concluded")) == 1


def test_a_blank_summary_is_refused_and_nothing_changes(api_as, agent):
    d = investigating(agent=agent)
    r = api_as(agent).post(f"{URL}/{d.number}/investigation/conclude", {"summary": "  "})
    assert r.status_code == 422
    assert "summary" in r.json()["error"]["fields"]
    assert events(d, "investigation_concluded") == []
    assert clock(d, "proposal") is None


def test_only_an_investigation_is_concluded(api_as, agent):
    d = make_dispute(description=LEAK, received_at=MONDAY)
    d.assignee = agent
    d.save(update_fields=["assignee"])
    d = step(d, "triage")
    r = api_as(agent).post(f"{URL}/{d.number}/investigation/conclude", {"summary": SUMMARY})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_investigating")


def test_departments_do_not_conclude(api_as, qc):
    d = investigating()
    r = api_as(qc).post(f"{URL}/{d.number}/investigation/conclude", {"summary": SUMMARY})
    assert r.status_code == 403
    assert events(d, "investigation_concluded") == []


def test_a_major_dispute_concludes_after_its_meeting_and_finding(lead):
    d = investigating(SHOCK)
    assert d.severity == "major"
    with pytest.raises(Exception) as refused:
        investigation_conclude(dispute=d, actor=SYSTEM, summary=SUMMARY)
    assert refused.value.code == "investigation_incomplete"
    assert refused.value.extra["missing"] == ["case_meeting", "responsibility"]
    case_meeting_record(
        dispute=d,
        actor=SYSTEM,
        held_at=at("2026-03-02 11:00"),
        attendees=["组长", "质检"],
        minutes="讨论责任",
        decisions=["商家全责"],
        at=at("2026-03-02 11:30"),
    )
    responsibility_determine(
        dispute=d,
        actor=SYSTEM,
        shares={"merchant": 100},
        root_causes=["process_gap"],
        at=at("2026-03-02 12:00"),
    )
    investigation_conclude(dispute=d, actor=SYSTEM, summary=SUMMARY, at=at("2026-03-02 13:00"))
    assert clock(d, "investigation").stopped_by == "event:investigation_concluded"
    assert clock(d, "proposal").due_at == at("2026-03-02 15:00")


def test_a_reopened_dispute_investigates_and_concludes_again(lead):
    """An unsatisfied follow-up reopens the dispute: the reopening has its day to be
    taken up, and the investigation clocks run again (issue 12 item 5)."""
    d = investigating()
    investigation_conclude(dispute=d, actor=SYSTEM, summary=SUMMARY, at=at("2026-03-02 11:00"))
    for action in ("propose", "settle", "complete"):
        d = step(d, action)
    assert d.status == "follow_up"
    d = step(d, "reopen", reason="回访：顾客不满意，热水器仍漏水")
    assert (d.status, d.reopen_count) == ("reopened", 1)
    reopen = clock(d, "reopen_response")
    assert reopen.state == "running"
    assert clock(d, "follow_up").stopped_by == "action:reopen"

    d = step(d, "investigate")
    reopen.refresh_from_db()
    assert (reopen.state, reopen.stopped_by) == ("stopped", "action:investigate")
    assert [
        t.state for t in Timer.objects.filter(dispute=d, kind__code="investigation_general")
    ] == [
        "stopped",
        "running",
    ]
    investigation_conclude(dispute=d, actor=SYSTEM, summary="复查：更换新机")
    assert clock(d, "proposal").state == "running"
