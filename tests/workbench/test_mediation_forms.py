"""The dispute page's mediation forms through Django's test client: department tasks and
reports, the QC notice, the conclusion, the case meeting, responsibility and escalation.
Each writes its timeline event when it succeeds; bad input answers 422 with what was
typed kept; a role without the permission gets 403 and does not see the form; a stale
form answers 409 with the conflict shown."""

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event, Task
from aftersales.mediation.models import Escalation
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role
from tests.mediation.proposal_helpers import investigating_dispute, staff

pytestmark = pytest.mark.django_db


def page_url(dispute) -> str:
    return f"/workbench/disputes/{dispute.number}/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(dispute, kind) -> int:
    return Event.objects.filter(dispute=dispute, kind=kind).count()


@pytest.fixture
def dispute():
    return investigating_dispute()


@pytest.fixture
def agent():
    return staff(Role.AGENT)


@pytest.fixture
def lead():
    return staff(Role.TEAM_LEAD)


@pytest.fixture
def qc():
    return staff(Role.QUALITY_CONTROL)


def qc_task(dispute) -> Task:
    return Task.objects.get(dispute=dispute, kind="qc_inspection")


# -- department tasks ------------------------------------------------------------------------


def test_an_agent_asks_legal_for_a_task(dispute, agent):
    client = client_for(agent)
    page = client.get(page_url(dispute)).content.decode()
    assert 'id="task-request"' in page
    response = client.post(
        f"{page_url(dispute)}tasks/",
        {"task-department": "legal", "task-note": "请出具法律意见"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#tasks-mediation")
    assert events(dispute, MediationKind.TASK_REQUESTED) == 1
    task = Task.objects.get(dispute=dispute, department="legal")
    assert task.title == "请出具法律意见"
    page = client.get(page_url(dispute)).content.decode()
    assert f'id="task-{task.pk}"' in page
    assert "请出具法律意见" in page


def test_a_second_open_task_for_the_same_department_is_a_conflict(dispute, agent):
    client = client_for(agent)
    response = client.post(
        f"{page_url(dispute)}tasks/",
        {"task-department": "quality_control", "task-note": "再验一次"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "已有未完成的任务" in body
    assert "再验一次" in body  # what was typed is kept
    assert events(dispute, MediationKind.TASK_REQUESTED) == 0


def test_a_bad_department_keeps_the_note(dispute, agent):
    response = client_for(agent).post(
        f"{page_url(dispute)}tasks/", {"task-department": "kitchen", "task-note": "看看"}
    )
    assert response.status_code == 422
    assert "看看" in response.content.decode()


def test_qc_may_not_ask_for_tasks_and_sees_no_form(dispute, qc):
    client = client_for(qc)
    assert 'id="task-request"' not in client.get(page_url(dispute)).content.decode()
    response = client.post(f"{page_url(dispute)}tasks/", {"task-department": "legal"})
    assert response.status_code == 403
    assert events(dispute, MediationKind.TASK_REQUESTED) == 0


def test_qc_files_its_report_on_its_own_task(dispute, qc):
    task = qc_task(dispute)
    client = client_for(qc)
    page = client.get(page_url(dispute)).content.decode()
    assert f"/tasks/{task.pk}/report" in page
    url = f"{page_url(dispute)}tasks/{task.pk}/report"
    prefix = f"report-{task.pk}"
    # A QC report must say whether a defect was found: kept text, the field marked.
    response = client.post(url, {f"{prefix}-text": "底部焊缝渗水"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "底部焊缝渗水" in body
    assert "质检报告须写明有无缺陷" in body
    response = client.post(
        url,
        {
            f"{prefix}-text": "底部焊缝渗水",
            f"{prefix}-defect_found": "yes",
            f"{prefix}-defect_severity": "major",
        },
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.TASK_REPORTED) == 1
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    page = client.get(page_url(dispute)).content.decode()
    assert "质检报告：有缺陷，严重缺陷" in page
    assert f"/tasks/{task.pk}/report" not in page  # done: no form any more


def test_an_agent_may_not_file_a_departments_report(dispute, agent):
    task = qc_task(dispute)
    client = client_for(agent)
    assert f"/tasks/{task.pk}/report" not in client.get(page_url(dispute)).content.decode()
    response = client.post(
        f"{page_url(dispute)}tasks/{task.pk}/report", {f"report-{task.pk}-text": "好"}
    )
    assert response.status_code == 403
    assert events(dispute, MediationKind.TASK_REPORTED) == 0


def test_the_agent_tells_qc_the_goods_are_ready_once(dispute, agent):
    task = qc_task(dispute)
    client = client_for(agent)
    url = f"{page_url(dispute)}tasks/{task.pk}/qc-notify"
    assert url in client.get(page_url(dispute)).content.decode()
    response = client.post(url, {f"qc-{task.pk}-note": "商品已到质检"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.QC_NOTIFIED) == 1
    page = client.get(page_url(dispute)).content.decode()
    assert "已通知质检，等待报告" in page
    assert url not in page
    # A second notice (a stale page) is a conflict, shown on the page.
    response = client.post(url, {f"qc-{task.pk}-note": "再通知"})
    assert response.status_code == 409
    assert "已通知质检，正在等待质检报告" in response.content.decode()


def test_the_task_list_shows_a_live_countdown(dispute, agent):
    task = qc_task(dispute)
    task.due_at = timezone.now() + timezone.timedelta(hours=2)
    task.save()
    page = client_for(agent).get(page_url(dispute)).content.decode()
    assert f'<time datetime="{timezone.localtime(task.due_at).isoformat()}' in page
    assert "data-due" in page


def test_the_agent_concludes_the_investigation(dispute, agent):
    client = client_for(agent)
    url = f"{page_url(dispute)}investigation/conclude"
    response = client.post(url, {"conclude-summary": ""})
    assert response.status_code == 422
    response = client.post(url, {"conclude-summary": "质检确认缺陷，顾客可退货"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.INVESTIGATION_CONCLUDED) == 1
    assert 'id="conclude"' not in client.get(page_url(dispute)).content.decode()


# -- case meeting and responsibility -----------------------------------------------------------


def meeting_data(**overrides):
    data = {
        "meeting-held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "meeting-attendees": "李组长\n质检陈工",
        "meeting-minutes": "质检确认焊缝缺陷",
        "meeting-decisions": "退货退款\n补偿地板损失",
    }
    return data | overrides


def test_the_team_lead_records_a_case_meeting(dispute, lead):
    # Received an hour ago: the meeting (this minute) is after it.
    earlier = timezone.now() - timezone.timedelta(hours=1)
    Dispute.objects.filter(pk=dispute.pk).update(received_at=earlier)
    client = client_for(lead)
    response = client.post(f"{page_url(dispute)}meetings/", meeting_data())
    assert response.status_code == 302
    assert events(dispute, MediationKind.CASE_MEETING) == 1
    page = client.get(page_url(dispute)).content.decode()
    assert "李组长、质检陈工" in page
    assert "决定：补偿地板损失" in page


def test_a_meeting_in_the_future_is_refused_with_the_minutes_kept(dispute, lead):
    later = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(lead).post(
        f"{page_url(dispute)}meetings/", meeting_data(**{"meeting-held_at": later})
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "会议时间不能晚于现在" in body
    assert "质检确认焊缝缺陷" in body
    assert events(dispute, MediationKind.CASE_MEETING) == 0


def test_an_agent_may_not_record_a_case_meeting(dispute, agent):
    client = client_for(agent)
    assert 'id="meeting-form"' not in client.get(page_url(dispute)).content.decode()
    assert client.post(f"{page_url(dispute)}meetings/", meeting_data()).status_code == 403
    assert events(dispute, MediationKind.CASE_MEETING) == 0


def test_responsibility_shares_must_add_up(dispute, lead):
    client = client_for(lead)
    url = f"{page_url(dispute)}responsibility/"
    data = {
        "resp-share_merchant": "60",
        "resp-share_supplier": "30",
        "resp-root_causes": ["supplier_quality"],
        "resp-note": "入库抽检未发现",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "各方责任比例之和必须为 100%，现在是 90%" in body
    assert 'value="30"' in body and "入库抽检未发现" in body
    response = client.post(url, data | {"resp-share_supplier": "40"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.RESPONSIBILITY_DETERMINED) == 1
    page = client.get(page_url(dispute)).content.decode()
    assert "责任比例：商家 60%，供应商 40%；根本原因：供应商质量" in page


def test_complex_disputes_show_what_is_missing_before_a_proposal(dispute, agent):
    Dispute.objects.filter(pk=dispute.pk).update(severity="complex")
    page = client_for(agent).get(page_url(dispute)).content.decode()
    assert 'id="missing-before-proposal"' in page
    assert "召开案件会议" in page and "作出责任认定" in page


# -- escalation -----------------------------------------------------------------------------


def escalation_data(dispute, **overrides):
    return {
        "esc-version": str(Dispute.objects.get(pk=dispute.pk).version),
        "esc-route": "regulator",
        "esc-reason": "顾客向 12315 投诉",
        "esc-body": "某区市场监管局",
    } | overrides


def test_an_agent_files_an_escalation_and_records_its_progress(dispute, agent):
    client = client_for(agent)
    response = client.post(f"{page_url(dispute)}escalations/", escalation_data(dispute))
    assert response.status_code == 302
    assert events(dispute, MediationKind.ESCALATION_FILED) == 1
    assert Dispute.objects.get(pk=dispute.pk).status == "escalated"
    escalation = Escalation.objects.get(dispute=dispute)
    # The outside body's deadlines run and are shown under the escalation.
    filed = client.get(page_url(dispute)).content.decode()
    listed = filed[
        filed.index('id="escalation-h"') : filed.index(
            "</section>", filed.index('id="escalation-h"')
        )
    ]
    assert "截止" in listed and "data-due" in listed, listed
    today = timezone.localdate().isoformat()
    url = f"{page_url(dispute)}escalations/{escalation.pk}/"
    prefix = f"accept-{escalation.pk}"
    response = client.post(url + "acceptance", {f"{prefix}-accepted_on": "2099-01-01"})
    assert response.status_code == 422
    assert "日期不能晚于今天" in response.content.decode()
    response = client.post(
        url + "acceptance", {f"{prefix}-accepted_on": today, f"{prefix}-reference": "TS-1"}
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.ESCALATION_ACCEPTED) == 1
    prefix = f"outcome-{escalation.pk}"
    response = client.post(url + "outcome", {f"{prefix}-outcome": "agreement"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.ESCALATION_CONCLUDED) == 1
    page = client.get(page_url(dispute)).content.decode()
    assert "达成调解/和解协议" in page


def test_a_stale_escalation_form_is_a_conflict(dispute, agent):
    data = escalation_data(dispute)
    Dispute.objects.filter(pk=dispute.pk).update(version=dispute.version + 1)
    response = client_for(agent).post(f"{page_url(dispute)}escalations/", data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "notice conflict" in body
    assert "顾客向 12315 投诉" in body
    assert events(dispute, MediationKind.ESCALATION_FILED) == 0


def test_an_escalation_without_a_reason_is_refused(dispute, agent):
    response = client_for(agent).post(
        f"{page_url(dispute)}escalations/", escalation_data(dispute, **{"esc-reason": ""})
    )
    assert response.status_code == 422
    assert events(dispute, MediationKind.ESCALATION_FILED) == 0


def test_qc_may_not_escalate(dispute, qc):
    client = client_for(qc)
    assert 'id="escalation-form"' not in client.get(page_url(dispute)).content.decode()
    response = client.post(f"{page_url(dispute)}escalations/", escalation_data(dispute))
    assert response.status_code == 403
