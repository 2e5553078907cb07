"""部门任务, 通知, 每日检查 and 时限统计 in real Chromium: no serious axe violation, no
CSP refusal, no sideways scroll at 390 px; the countdown runs and marking read updates
the badge."""

import datetime as dt
import re

from django.utils import timezone

from aftersales.disputes.models import Task
from aftersales.mediation.investigation import task_request
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_held_dispute, make_staff
from tests.workbench.harness import BROWSER_MARKS, browser_page, check_page, login  # noqa: F401

pytestmark = BROWSER_MARKS
SERVICE = "客服态度不好，想投诉一下。"


def test_department_tasks_show_a_live_countdown(live_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    dispute = make_dispute(description=SERVICE)
    task = task_request(dispute=dispute, actor=SYSTEM, department="quality_control")
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() + dt.timedelta(hours=2))
    qc = make_staff(Role.QUALITY_CONTROL)

    login(browser_page, live_server.url, qc, next_path="/workbench/tasks/")
    row = browser_page.locator("#tasks tbody tr").first
    expect(row).to_contain_text(dispute.number)
    expect(row.locator("time .left")).to_have_text(re.compile(r"^剩余 (1小时5\d分|2小时)$"))
    check_page(browser_page, "department-tasks")


def test_inbox_daily_checks_and_sla_figures(live_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    team = Team.objects.get(is_default=True)
    lead = make_staff(Role.TEAM_LEAD, team=team)
    agent = make_staff(Role.AGENT, team=team)
    make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(days=2))
    dispute = make_dispute(description=SERVICE)
    Notification.objects.filter(recipient=lead).delete()
    notify_staff(
        [
            Notification(
                recipient=lead,
                dispute=dispute,
                kind=Notification.Kind.ESCALATION,
                title=f"升级风险 {i}",
                created_at=timezone.now() - dt.timedelta(minutes=i),
            )
            for i in range(2)
        ]
    )
    page = browser_page
    login(page, live_server.url, lead, next_path="/workbench/inbox/")
    badge = page.locator("#unread-count")
    expect(badge).to_contain_text("2")
    check_page(page, "inbox")
    page.get_by_role("button", name="标为已读 升级风险 0").click()
    expect(badge).to_contain_text("1")
    expect(page.locator("#notifications tbody tr.unread")).to_have_count(1)
    page.get_by_role("button", name="全部标为已读").click()
    expect(badge).to_have_count(0)

    page.goto(f"{live_server.url}/workbench/daily-checks/")
    expect(page.get_by_role("heading", name="24 小时无人处理的投诉").first).to_be_visible()
    check_page(page, "daily-checks")

    page.goto(f"{live_server.url}/workbench/sla/")
    expect(page.locator("#compliance")).to_be_visible()
    # The same figures drawn as stacked bars (vendored ECharts, SVG) from the page's JSON
    # data island, within the Content-Security-Policy (check_page asserts no violation).
    expect(page.locator("#sla-chart svg")).to_be_visible()
    expect(page.locator("#sla-chart svg text", has_text="超时").first).to_be_attached()
    check_page(page, "sla-figures")
