"""Investigation through the services and the API: department reports filed by the right
department only, case meetings, responsibility shares and root causes; each one event."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Event, Task
from aftersales.mediation.investigation import task_report_file
from aftersales.mediation.investigation_milestones import qc_notify
from aftersales.mediation.models import ResponsibilityFinding, TaskReport
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.actors import SYSTEM
from aftersales.sla.models import Timer
from tests.api.test_evidence_api import png_bytes
from tests.factories import make_dispute

from .conftest import LEAK, URL, investigating

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dispute(db):
    """A quality dispute: routing gives quality control an inspection task at intake."""
    return investigating(make_dispute(description=LEAK))


def qc_task(dispute):
    return Task.objects.get(dispute=dispute, kind="qc_inspection")


def photo(dispute, content=None):
    upload = SimpleUploadedFile("leak.png", content or png_bytes(), content_type="image/png")
    return evidence_add(dispute=dispute, upload=upload, actor=SYSTEM).evidence


def report_url(dispute, task):
    return f"{URL}/{dispute.number}/tasks/{task.pk}/report"


def snapshot(dispute):
    return (
        list(Task.objects.filter(dispute=dispute).values_list("kind", "state").order_by("id")),
        TaskReport.objects.filter(dispute=dispute).count(),
        Event.objects.filter(dispute=dispute).count(),
    )


QC_REPORT = {
    "text": "通电测试 30 分钟后底部焊缝渗水，属生产焊接缺陷。",
    "defect_found": True,
    "defect_severity": "major",
}


def test_qc_files_its_inspection_report_with_photos(api_as, qc, dispute):
    task = qc_task(dispute)
    evidence = photo(dispute)
    response = api_as(qc).post(report_url(dispute, task), {**QC_REPORT, "photo_ids": [evidence.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "done"
    report = body["report"]
    assert (report["kind"], report["defect_found"], report["defect_severity"]) == (
        "qc",
        True,
        "major",
    )
    assert report["photo_ids"] == [evidence.pk]
    assert report["filed_by"] == qc.username
    event = Event.objects.filter(dispute=dispute).latest("id")
    assert event.kind == MediationKind.TASK_REPORTED
    assert event.actor == qc
    assert event.payload["defect_found"] is True
    assert event.payload["photos"] == [evidence.pk]
    assert event.payload["task_kind"] == "qc_inspection"


@pytest.mark.parametrize("who", ["agent", "legal", "logistics"])
def test_only_the_tasks_department_files_its_report(api_as, who, request, dispute):
    user = request.getfixturevalue(who)
    if who == "legal":  # legal can see the dispute through a task of its own
        Task.objects.create(dispute=dispute, department="legal", kind="legal_review", title="法务")
    task = qc_task(dispute)
    before = snapshot(dispute)
    response = api_as(user).post(report_url(dispute, task), QC_REPORT)
    # Outside its scope the dispute does not exist (404); inside it, refused (403).
    assert response.status_code == (404 if who == "logistics" else 403), response.content
    assert snapshot(dispute) == before


def test_admin_may_file_any_report(dispute):
    from aftersales.parties.roles import Role
    from tests.factories import make_staff

    admin = make_staff(Role.ADMIN)
    report = task_report_file(task=qc_task(dispute), actor=admin, **QC_REPORT)
    assert report.filed_by == admin


def test_a_report_is_filed_once(api_as, qc, dispute):
    task = qc_task(dispute)
    assert api_as(qc).post(report_url(dispute, task), QC_REPORT).status_code == 201
    before = snapshot(dispute)
    response = api_as(qc).post(report_url(dispute, task), QC_REPORT)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "task_not_open"
    assert snapshot(dispute) == before


def test_qc_report_without_the_defect_verdict_is_refused(api_as, qc, dispute):
    before = snapshot(dispute)
    response = api_as(qc).post(report_url(dispute, qc_task(dispute)), {"text": "看过了"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"]["defect_found"] == "质检报告须写明有无缺陷"
    assert snapshot(dispute) == before


def test_photos_must_be_this_disputes_evidence(api_as, qc, dispute):
    other = make_dispute(description=LEAK, customer={"name": "李四", "phone": "13900001111"})
    foreign = photo(other)
    before = snapshot(dispute)
    response = api_as(qc).post(
        report_url(dispute, qc_task(dispute)), {**QC_REPORT, "photo_ids": [foreign.pk]}
    )
    assert response.status_code == 422
    assert str(foreign.pk) in response.json()["error"]["fields"]["photo_ids"]
    assert snapshot(dispute) == before


def test_another_disputes_task_is_404(api_as, qc, dispute):
    other = make_dispute(description=LEAK, customer={"name": "李四", "phone": "13900002222"})
    response = api_as(qc).post(report_url(dispute, qc_task(other)), QC_REPORT)
    assert response.status_code == 404


def test_the_qc_report_stops_the_qc_hour_started_by_the_notice(qc):
    """qc_report runs from the handler's notice to QC (issue 12), not from routing's task
    at intake; the report is what stops it."""
    dispute = investigating(make_dispute(description=LEAK))
    assert not Timer.objects.filter(dispute=dispute, kind__code="qc_report").exists()
    qc_notify(task=qc_task(dispute), actor=SYSTEM, note="顾客照片已上传")
    timer = Timer.objects.get(dispute=dispute, kind__code="qc_report")
    assert timer.state == Timer.State.RUNNING
    task_report_file(task=qc_task(dispute), actor=qc, **QC_REPORT)
    timer.refresh_from_db()
    assert (timer.state, timer.stopped_by) == (Timer.State.STOPPED, "task:qc_inspection:done")


def test_logistics_and_operations_reports(logistics, db):
    from aftersales.parties.roles import Role
    from tests.factories import make_staff

    dispute = investigating(make_dispute(description="快递一直显示运输中，十天了还没到。"))
    trace = Task.objects.create(
        dispute=dispute, department="logistics", kind="logistics_trace", title="物流"
    )
    check = Task.objects.create(
        dispute=dispute, department="operations", kind="promotion_check", title="运营"
    )
    report = task_report_file(
        task=trace, actor=logistics, text="中转站滞留 6 天，已催件", trace_status="delayed"
    )
    assert (report.kind, report.trace_status) == ("logistics", "delayed")
    ops = make_staff(Role.OPERATIONS)
    report = task_report_file(
        task=check, actor=ops, text="直播间口播“满 300 减 50”，订单未享受", rules_honoured=False
    )
    assert (report.kind, report.rules_honoured) == ("operations", False)
    kinds = list(
        Event.objects.filter(dispute=dispute, kind=MediationKind.TASK_REPORTED).values_list(
            "payload__kind", flat=True
        )
    )
    assert kinds == ["logistics", "operations"]


# -- case meeting -------------------------------------------------------------------------


MEETING = {
    "held_at": "",  # set to just now by `meeting()`: not before the dispute was received
    "attendees": ["组长 王敏", "质检 李工", "法务 赵律师"],
    "minutes": "质检确认焊缝缺陷；法务认为属质量不合格，适用七日内退货。",
    "decisions": ["全额退货退款", "商家承担往返运费"],
}


def meeting(**changes):
    return {**MEETING, "held_at": timezone.now().isoformat(), **changes}


def test_team_lead_records_the_case_meeting(api_as, lead, dispute):
    response = api_as(lead).post(f"{URL}/{dispute.number}/meetings", meeting())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attendees"] == MEETING["attendees"]
    assert body["decisions"] == MEETING["decisions"]
    event = Event.objects.filter(dispute=dispute).latest("id")
    assert event.kind == MediationKind.CASE_MEETING
    assert event.reason == MEETING["minutes"]
    assert event.payload["decisions"] == MEETING["decisions"]


def test_an_agent_does_not_record_case_meetings(api_as, agent, dispute):
    before = snapshot(dispute)
    assert api_as(agent).post(f"{URL}/{dispute.number}/meetings", meeting()).status_code == 403
    assert snapshot(dispute) == before


def test_a_meeting_needs_attendees_and_decisions(api_as, lead, dispute):
    response = api_as(lead).post(f"{URL}/{dispute.number}/meetings", meeting(attendees=["  "]))
    assert response.status_code == 422
    assert "attendees" in response.json()["error"]["fields"]


def test_a_meeting_before_the_dispute_was_received_is_refused(api_as, lead, dispute):
    response = api_as(lead).post(
        f"{URL}/{dispute.number}/meetings", meeting(held_at="2020-01-01T10:00:00+08:00")
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["held_at"] == "会议时间不能早于投诉受理时间"


# -- responsibility -----------------------------------------------------------------------


def responsibility(client, dispute, **body):
    return client.post(f"{URL}/{dispute.number}/responsibility", body)


def test_shares_not_summing_to_100_are_refused_with_the_total(api_as, agent, dispute):
    response = responsibility(
        api_as(agent),
        dispute,
        shares={"merchant": 60, "carrier": 30},
        root_causes=["supplier_quality"],
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["shares"] == "各方责任比例之和必须为 100%，现在是 90%"
    assert error["message"] == error["fields"]["shares"]
    assert not ResponsibilityFinding.objects.filter(dispute=dispute).exists()


def test_shares_message_in_english(api_as, agent, dispute):
    client = api_as(agent, language="en")
    response = responsibility(
        client, dispute, shares={"merchant": 50.5, "carrier": 49.5}, root_causes=["carrier"]
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"shares.merchant", "shares.carrier"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shares": {"merchant": 50, "courier": 50}, "root_causes": ["carrier"]}, "shares.courier"),
        ({"shares": {"merchant": 100}, "root_causes": []}, "root_causes"),
        ({"shares": {"merchant": 100}, "root_causes": ["bad_luck"]}, "root_causes"),
    ],
)
def test_unknown_parties_and_causes_are_refused(api_as, agent, dispute, body, field):
    response = responsibility(api_as(agent), dispute, **body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_responsibility_is_recorded_and_a_later_finding_supersedes(api_as, agent, lead, dispute):
    first = responsibility(
        api_as(agent),
        dispute,
        shares={"supplier": 70, "merchant": 30},
        root_causes=["supplier_quality", "process_gap"],
        note="供应商焊接工艺缺陷；入库抽检未发现",
    )
    assert first.status_code == 201, first.content
    assert [(s["party"], s["percent"]) for s in first.json()["shares"]] == [
        ("merchant", 30),
        ("supplier", 70),
    ]
    second = responsibility(
        api_as(lead),
        dispute,
        shares={"supplier": 100, "customer": 0},
        root_causes=["supplier_quality"],
    )
    assert second.status_code == 201
    events = Event.objects.filter(dispute=dispute, kind=MediationKind.RESPONSIBILITY_DETERMINED)
    assert events.count() == 2
    assert events.latest("id").payload["supersedes"] == first.json()["id"]
    view = api_as(agent).get(f"{URL}/{dispute.number}/investigation").json()
    assert view["responsibility"]["id"] == second.json()["id"]
    assert [f["id"] for f in view["findings"]] == [first.json()["id"], second.json()["id"]]
    assert view["responsibility"]["root_cause_labels"] == ["供应商质量"]


def test_supervisor_reads_but_does_not_determine(api_as, dispute):
    from aftersales.parties.roles import Role
    from tests.factories import make_staff

    supervisor = make_staff(Role.SUPERVISOR)
    client = api_as(supervisor)
    assert client.get(f"{URL}/{dispute.number}/investigation").status_code == 200
    response = responsibility(client, dispute, shares={"merchant": 100}, root_causes=["carrier"])
    assert response.status_code == 403


def test_investigation_view_shows_tasks_with_reports(api_as, agent, qc, dispute):
    task_report_file(task=qc_task(dispute), actor=qc, **QC_REPORT)
    view = api_as(agent).get(f"{URL}/{dispute.number}/investigation").json()
    (task,) = [t for t in view["tasks"] if t["kind"] == "qc_inspection"]
    assert task["state"] == "done"
    assert task["report"]["text"] == QC_REPORT["text"]
