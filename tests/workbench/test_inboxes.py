"""The pages of work waiting: 部门任务 scoped to the user's department, 通知 with its
unread count and mark-read, 每日检查 and 时限统计 for the roles the API lets in."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.disputes.models import Task
from aftersales.mediation.investigation import task_request
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_held_dispute, make_staff

pytestmark = pytest.mark.django_db
TASKS = reverse("workbench:department_tasks")
INBOX = reverse("workbench:inbox")
DAILY = reverse("workbench:daily_checks")
SLA = reverse("workbench:sla_figures")
SERVICE = "客服态度不好，想投诉一下。"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task_rows(response) -> list[str]:
    body = re.search(
        r'<table class="cards" id="tasks">.*?</table>', response.content.decode(), re.S
    )
    return re.findall(r"<tr>\s*<td data-label=\"[^\"]*\"><a [^>]*>([^<]+)</a>", body.group(0))


@pytest.fixture
def tasks(db):
    """A QC task on one dispute, a finance task on another, and a second QC task."""
    # A complaint about service: triage asks no department, so the tasks are these.
    qc_first, finance_only, qc_second = (make_dispute(description=SERVICE) for _ in range(3))
    task_request(dispute=qc_first, actor=SYSTEM, department="quality_control", note="验货")
    task_request(dispute=finance_only, actor=SYSTEM, department="finance", note="核对付款")
    task_request(dispute=qc_second, actor=SYSTEM, department="quality_control", note="检测")
    return qc_first, finance_only, qc_second


def test_each_department_sees_its_own_open_tasks(tasks):
    qc_first, finance_only, qc_second = tasks
    qc = client_for(make_staff(Role.QUALITY_CONTROL)).get(TASKS)
    finance = client_for(make_staff(Role.FINANCE)).get(TASKS)

    assert qc.status_code == finance.status_code == 200
    assert sorted(task_rows(qc)) == sorted([qc_first.number, qc_second.number])
    assert task_rows(finance) == [finance_only.number]
    assert 'aria-current="page" data-nav="tasks"' in qc.content.decode()
    # No department choice for those who see only their own.
    assert 'name="department"' not in qc.content.decode()


def test_tasks_come_most_urgent_first_with_a_live_countdown(tasks):
    qc_first, _finance, qc_second = tasks
    Task.objects.filter(dispute=qc_second).update(due_at=timezone.now() + dt.timedelta(hours=1))
    Task.objects.filter(dispute=qc_first).update(due_at=timezone.now() + dt.timedelta(hours=5))
    response = client_for(make_staff(Role.QUALITY_CONTROL)).get(TASKS)

    assert task_rows(response) == [qc_second.number, qc_first.number]
    assert re.search(r'<time datetime="[^"]+\+08:00" data-due', response.content.decode())


def test_done_tasks_leave_the_list(tasks):
    qc_first, _finance, qc_second = tasks
    Task.objects.filter(dispute=qc_first).update(state=Task.State.DONE)
    response = client_for(make_staff(Role.QUALITY_CONTROL)).get(TASKS)
    assert task_rows(response) == [qc_second.number]


def test_admins_see_every_department_and_may_choose_one(tasks):
    _qc_first, finance_only, _qc_second = tasks
    admin = client_for(make_staff(Role.ADMIN))
    everything = admin.get(TASKS)
    assert len(task_rows(everything)) == 3
    assert 'name="department"' in everything.content.decode()
    assert task_rows(admin.get(TASKS, {"department": "finance"})) == [finance_only.number]


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_case_handlers_have_no_department_task_list(role, tasks):
    assert client_for(make_staff(role)).get(TASKS).status_code == 403


def test_a_department_cannot_choose_anothers_tasks(tasks):
    response = client_for(make_staff(Role.QUALITY_CONTROL)).get(TASKS, {"department": "finance"})
    assert tasks[1].number not in task_rows(response)


# -- 通知 -------------------------------------------------------------------------------


def _notes(user, count: int) -> list[Notification]:
    now = timezone.now()
    dispute = make_dispute(description=SERVICE)
    # Only these: intake told the team's agent about the new dispute.
    Notification.objects.filter(recipient=user).delete()
    return notify_staff(
        [
            Notification(
                recipient=user,
                dispute=dispute,
                kind=Notification.Kind.ASSIGNED,
                title=f"通知{i}",
                created_at=now - dt.timedelta(minutes=count - i),
            )
            for i in range(count)
        ]
    )


def _badge(html: str) -> str | None:
    found = re.search(r'<span class="badge" id="unread-count">(\d+)', html)
    return found.group(1) if found else None


def test_the_inbox_lists_newest_first_and_marks_the_unread(agent):
    notes = _notes(agent, 3)
    Notification.objects.filter(pk=notes[0].pk).update(read_at=timezone.now())
    response = client_for(agent).get(INBOX)

    html = response.content.decode()
    assert response.status_code == 200
    titles = re.findall(r'<span class="title">([^<]+)</span>', html)
    assert titles == ["通知2", "通知1", "通知0"]
    assert html.count('class="unread"') == 2
    assert html.count('<strong class="badge-unread">未读</strong>') == 2
    assert _badge(html) == "2"
    assert reverse("workbench:dispute_detail", args=[notes[0].dispute.number]) in html


def test_marking_one_read_updates_the_count(agent):
    notes = _notes(agent, 2)
    client = client_for(agent)
    response = client.post(reverse("workbench:inbox_read", args=[notes[1].pk]), follow=True)

    assert response.status_code == 200
    assert Notification.objects.get(pk=notes[1].pk).read_at is not None
    assert Notification.objects.get(pk=notes[0].pk).read_at is None
    assert _badge(response.content.decode()) == "1"


def test_marking_all_read_clears_the_badge(agent):
    _notes(agent, 3)
    response = client_for(agent).post(reverse("workbench:inbox_read_all"), follow=True)
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    assert _badge(response.content.decode()) is None


def test_nobody_marks_anothers_notification(agent):
    (note,) = _notes(make_staff(Role.AGENT), 1)
    response = client_for(agent).post(reverse("workbench:inbox_read", args=[note.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_marking_read_needs_a_post(agent):
    (note,) = _notes(agent, 1)
    assert client_for(agent).get(reverse("workbench:inbox_read", args=[note.pk])).status_code == 405


# -- 每日检查 ----------------------------------------------------------------------------


def test_an_agent_sees_their_own_daily_checks(agent):
    held = make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(days=2))
    response = client_for(agent).get(DAILY)

    html = response.content.decode()
    assert response.status_code == 200
    assert "24 小时无人处理的投诉" in html
    assert held.number in html
    assert 'name="user"' not in html  # only their own


def test_a_team_lead_sees_the_teams_checks_and_may_choose_one_agent(agent, default_team):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    held = make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(days=2))
    client = client_for(lead)
    everyone = client.get(DAILY)
    assert everyone.status_code == 200
    assert held.number in everyone.content.decode()
    assert f'<option value="{agent.username}"' in everyone.content.decode()
    assert held.number in client.get(DAILY, {"user": agent.username}).content.decode()
    assert client.get(DAILY, {"user": "nobody-here"}).status_code == 404


@pytest.mark.parametrize("role", [Role.QUALITY_CONTROL, Role.FINANCE, Role.LOGISTICS])
def test_departments_have_no_daily_checks(role):
    assert client_for(make_staff(role)).get(DAILY).status_code == 403


# -- 时限统计 ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT, Role.ADMIN])
def test_sla_figures_render_for_the_roles_allowed(role, agent, default_team):
    make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(hours=1))
    today = timezone.localdate()
    viewer = make_staff(role, team=default_team if role == Role.TEAM_LEAD else None)
    response = client_for(viewer).get(
        SLA,
        {
            "start": (today - dt.timedelta(days=3)).isoformat(),
            "end": (today + dt.timedelta(days=30)).isoformat(),
            "by": "kind",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="compliance"' in html
    assert "合计" in html


def test_sla_figures_count_what_compliance_counts(agent):
    make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(hours=1))
    from aftersales.sla import figures

    today = timezone.localdate()
    start, end = today - dt.timedelta(days=3), today + dt.timedelta(days=30)
    expected = figures.compliance(period=figures.Period(start, end), by="kind")
    response = client_for(make_staff(Role.SUPERVISOR)).get(
        SLA, {"start": start.isoformat(), "end": end.isoformat(), "by": "kind"}
    )
    html = response.content.decode()
    assert expected.overall.total > 0
    footer = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    cells = re.findall(r"<td data-label=\"[^\"]*\">([^<]*)</td>", footer)
    assert cells[:4] == [
        str(expected.overall.total),
        str(expected.overall.met),
        str(expected.overall.missed),
        str(expected.overall.pending),
    ]
    for row in expected.rows:
        assert row.name in html


def test_sla_figures_refuse_agents(agent):
    assert client_for(agent).get(SLA).status_code == 403


def test_sla_figures_mark_a_bad_period(agent):
    lead = make_staff(Role.SUPERVISOR)
    response = client_for(lead).get(SLA, {"start": "2026-12-05", "end": "2026-12-01", "by": "kind"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_end_error"' in html and "结束日期不能早于开始日期" in html
    assert re.search(r'<input[^>]*name="end"[^>]*aria-invalid="true"', html)


# -- no query per row --------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_task_list_and_the_inbox_read_the_same_whatever_their_length(agent):
    qc = make_staff(Role.QUALITY_CONTROL)
    qc_client, agent_client = client_for(qc), client_for(agent)
    task_request(
        dispute=make_dispute(description=SERVICE), actor=SYSTEM, department="quality_control"
    )
    _notes(agent, 1)
    few = (_queries(qc_client, TASKS), _queries(agent_client, INBOX))
    for _ in range(4):
        task_request(
            dispute=make_dispute(description=SERVICE), actor=SYSTEM, department="quality_control"
        )
    _notes(agent, 6)
    assert (_queries(qc_client, TASKS), _queries(agent_client, INBOX)) == few
